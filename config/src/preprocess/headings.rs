//! The `##` heading tree, built while lines are read, exactly as Pimlico builds it: a heading
//! may go down one level at a time, sections attach to the most recent heading, and an
//! included file continues the tree where the including file left it.

use crate::model::Heading;

/// One heading and the section names directly under it.
#[derive(Debug, Clone, Default)]
struct Node {
    title: String,
    sections: Vec<String>,
    children: Vec<usize>,
}

/// The tree under construction; node 0 is the root.
#[derive(Debug, Clone)]
pub(crate) struct HeadingTree {
    nodes: Vec<Node>,
}

/// Where a file is adding sections: the current level and the node receiving them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor {
    pub level: usize,
    pub node: usize,
}

impl Default for HeadingTree {
    fn default() -> Self {
        Self {
            nodes: vec![Node::default()],
        }
    }
}

impl HeadingTree {
    /// The deepest node of the rightmost branch and its depth: where a new file starts.
    pub fn rightmost(&self) -> Cursor {
        let (mut node, mut level) = (0, 0);
        while let Some(&last) = self.nodes[node].children.last() {
            node = last;
            level += 1;
        }
        Cursor { level, node }
    }

    /// Records a section name under the cursor's heading.
    pub fn add_section(&mut self, cursor: Cursor, name: &str) {
        self.nodes[cursor.node].sections.push(name.to_owned());
    }

    /// Handles a `##...` comment line. Returns the new cursor, or `None` (and leaves the tree
    /// alone) when the heading jumps down more than one level, which Pimlico ignores with a
    /// warning.
    pub fn add_heading(&mut self, cursor: Cursor, line: &str) -> Option<Cursor> {
        let (first, rest) = crate::py::split_once_or_all(line, " ");
        let level = first.matches('#').count().saturating_sub(1);
        if level > cursor.level + 1 {
            return None;
        }
        let title = crate::py::strip_chars(rest, "# ").to_owned();
        let mut parent = 0;
        for _ in 1..level {
            match self.nodes[parent].children.last() {
                Some(&c) => parent = c,
                None => break,
            }
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            title,
            ..Node::default()
        });
        self.nodes[parent].children.push(id);
        Some(Cursor { level, node: id })
    }

    /// The public tree, with each section name replaced by what `expand` returns for it
    /// (its expanded module names, or nothing for sections that are not modules).
    pub fn build<'a>(&self, expand: &dyn Fn(&str) -> Option<&'a [String]>) -> Heading {
        self.build_node(0, expand)
    }

    fn build_node<'a>(&self, id: usize, expand: &dyn Fn(&str) -> Option<&'a [String]>) -> Heading {
        let node = &self.nodes[id];
        Heading {
            title: node.title.clone(),
            modules: node
                .sections
                .iter()
                .filter_map(|s| expand(s))
                .flatten()
                .cloned()
                .collect(),
            children: node
                .children
                .iter()
                .map(|&c| self.build_node(c, expand))
                .collect(),
        }
    }
}
