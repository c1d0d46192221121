//! Naming archives and splitting documents over them, as the original's
//! `IterableCorpusGrouper` does for `group`, `shuffle`, `interleave` and others.

use crate::formats::error::{FormatError, Result};

/// Puts documents into archives of `archive_size` in order, named `<basename>-<n>` with `n`
/// zero-padded to the width of the last archive number expected for `total_docs` documents
/// (`archive-0` … `archive-9`, `archive-00` … `archive-42`).
#[derive(Debug, Clone)]
pub struct ArchiveGrouper {
    basename: String,
    archive_size: usize,
    total_archives: usize,
    width: usize,
    current: usize,
    in_current: usize,
    current_name: String,
}

impl ArchiveGrouper {
    /// A grouper for about `total_docs` documents. The total only decides the padding of the
    /// archive numbers, so an overestimate is harmless.
    pub fn new(archive_size: usize, total_docs: usize, basename: &str) -> Result<Self> {
        if archive_size == 0 {
            return Err(FormatError::Invalid(
                "archive size must be at least 1".into(),
            ));
        }
        let total_archives = total_docs.div_ceil(archive_size);
        // The original pads to len("%d" % (total_archives - 1)), which is 2 ("-1") when there
        // are no documents at all.
        let width = if total_archives == 0 {
            2
        } else {
            (total_archives - 1).to_string().len()
        };
        let mut g = ArchiveGrouper {
            basename: basename.to_string(),
            archive_size,
            total_archives,
            width,
            current: 0,
            in_current: 0,
            current_name: String::new(),
        };
        g.current_name = g.name(0);
        Ok(g)
    }

    fn name(&self, n: usize) -> String {
        format!("{}-{:0width$}", self.basename, n, width = self.width)
    }

    /// All archive names, if `total_docs` was exact.
    pub fn archive_names(&self) -> Vec<String> {
        (0..self.total_archives).map(|n| self.name(n)).collect()
    }

    /// The archive the next document goes into.
    pub fn next_document(&mut self) -> &str {
        if self.in_current == self.archive_size {
            self.current += 1;
            self.in_current = 1;
            self.current_name = self.name(self.current);
        } else {
            self.in_current += 1;
        }
        &self.current_name
    }
}

#[cfg(test)]
mod tests {
    use super::ArchiveGrouper;

    #[test]
    fn names_and_sizes_follow_the_original() {
        let mut g = ArchiveGrouper::new(2, 5, "archive").unwrap();
        assert_eq!(g.archive_names(), ["archive-0", "archive-1", "archive-2"]);
        let seq: Vec<String> = (0..5).map(|_| g.next_document().to_string()).collect();
        assert_eq!(
            seq,
            [
                "archive-0",
                "archive-0",
                "archive-1",
                "archive-1",
                "archive-2"
            ]
        );
        let g = ArchiveGrouper::new(1000, 11_000, "a").unwrap();
        assert_eq!(g.archive_names().first().unwrap(), "a-00");
        assert_eq!(g.archive_names().last().unwrap(), "a-10");
        assert_eq!(
            ArchiveGrouper::new(10, 0, "x").unwrap().next_document(),
            "x-00"
        );
        assert!(ArchiveGrouper::new(0, 5, "x").is_err());
    }
}
