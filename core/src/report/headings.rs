//! The `##` heading tree with the original's numbering, restricted to listed modules.

use pimlico_config::Heading;
use pimlico_proto::HeadingStatus;

/// Numbers the tree (`1`, `1.2`, ...) as loaded, then keeps only `listed` modules and drops
/// headings left empty.
pub fn heading_tree(root: &Heading, listed: &[String]) -> HeadingStatus {
    number(root, String::new(), listed).unwrap_or_default()
}

fn number(heading: &Heading, num: String, listed: &[String]) -> Option<HeadingStatus> {
    let children: Vec<HeadingStatus> = heading
        .children
        .iter()
        .enumerate()
        .filter_map(|(i, child)| {
            let child_num = if num.is_empty() {
                (i + 1).to_string()
            } else {
                format!("{num}.{}", i + 1)
            };
            number(child, child_num, listed)
        })
        .collect();
    let modules: Vec<String> = heading
        .modules
        .iter()
        .filter(|m| listed.contains(m))
        .cloned()
        .collect();
    let is_root = num.is_empty();
    (is_root || !modules.is_empty() || !children.is_empty()).then(|| HeadingStatus {
        title: heading.title.clone(),
        number: num,
        modules,
        children,
    })
}
