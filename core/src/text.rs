//! Text formatting shared by reports: the original's `title_box` and friends.

/// The text with its first letter upper-cased (Python's `str.capitalize` without lowering).
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The original's `title_box`: each line centred in a box of `+`, `-` and `|`.
pub fn title_box(title: &str) -> String {
    let lines: Vec<&str> = title.lines().collect();
    let width = lines
        .iter()
        .map(|l| l.chars().count() + 2)
        .max()
        .unwrap_or(2);
    let border = format!("+{}+", "-".repeat(width));
    let mut out = vec![border.clone()];
    for line in lines {
        out.push(format!("|{line:^width$}|"));
    }
    out.push(border);
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_titles_like_the_original() {
        assert_eq!(
            title_box("Module: split"),
            "+---------------+\n| Module: split |\n+---------------+"
        );
        assert_eq!(capitalize("python3"), "Python3");
    }
}
