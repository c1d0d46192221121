//! The `##` heading tree with the original's numbering, restricted to listed modules.

use pimlico_config::Heading;
use pimlico_proto::HeadingStatus;

/// Numbers the tree (`1`, `1.2`, ...) as loaded, then keeps only `listed` modules and drops
/// headings left empty. Listed modules the tree does not mention go under the root, so that
/// nothing listed is lost.
pub fn heading_tree(root: &Heading, listed: &[String]) -> HeadingStatus {
    let mut tree = number(root, String::new(), listed).unwrap_or_default();
    let mut present = Vec::new();
    collect(&tree, &mut present);
    let missing: Vec<String> = listed
        .iter()
        .filter(|m| !present.contains(m))
        .cloned()
        .collect();
    tree.modules.extend(missing);
    tree
}

fn collect(tree: &HeadingStatus, out: &mut Vec<String>) {
    out.extend(tree.modules.iter().cloned());
    for child in &tree.children {
        collect(child, out);
    }
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
