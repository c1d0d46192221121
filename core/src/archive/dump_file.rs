//! `dump` for the CLI: one module directory to `<dir>/<module>.tar.gz` (or `.tar.zst`, `.tar`),
//! written under a temporary name and renamed into place, so an existing dump is replaced only
//! by a complete one and a failed dump leaves nothing behind.

use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::compression::CompressionKind;
use super::error::{ArchiveError, Result};
use super::metadata::DumpMetadata;
use super::names::validate_module_name;
use super::produce::DumpSummary;
use super::util::{blocking, unique_id};
use super::write::{DumpOptions, write_dump};

/// The file name of a module's dump: the module name verbatim plus the extension, e.g.
/// `sub[size=1~offset=3].tar.gz`.
pub fn dump_file_name(module_name: &str, kind: CompressionKind) -> Result<String> {
    validate_module_name(module_name)?;
    Ok(format!("{module_name}.{}", kind.extension()))
}

/// Dumps `module_dir` to `output_dir/<module>.<ext>`, creating `output_dir` if needed, and
/// returns the file's path. The file appears only once it is complete and synced.
pub async fn dump_module_to_dir(
    module_dir: &Path,
    output_dir: &Path,
    metadata: &DumpMetadata,
    options: &DumpOptions,
) -> Result<(PathBuf, DumpSummary)> {
    let final_path = output_dir.join(dump_file_name(
        &metadata.module_name,
        options.compression.kind(),
    )?);
    let temp = {
        let output_dir = output_dir.to_path_buf();
        blocking(move || TempFile::create(&output_dir)).await?
    };
    let std_file = temp
        .file
        .try_clone()
        .map_err(|e| ArchiveError::io("open", &temp.path, e))?;
    let mut file = tokio::fs::File::from_std(std_file);
    let summary = write_dump(module_dir, metadata, options, &mut file).await?;
    file.sync_all()
        .await
        .map_err(|e| ArchiveError::io("sync", &temp.path, e))?;
    drop(file);
    let target = final_path.clone();
    blocking(move || temp.persist(&target)).await?;
    Ok((final_path, summary))
}

/// A temporary file next to the final dump, removed unless persisted.
struct TempFile {
    path: PathBuf,
    file: std::fs::File,
    keep: bool,
}

impl TempFile {
    fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ArchiveError::io("create the output directory", dir, e))?;
        loop {
            let path = dir.join(format!(".pimlico-dump-{}.partial", unique_id()));
            // Mode 0666 before the umask, like any file the user's tools create.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file,
                        keep: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(ArchiveError::io("create", &path, e)),
            }
        }
    }

    fn persist(mut self, target: &Path) -> Result<()> {
        std::fs::rename(&self.path, target)
            .map_err(|e| ArchiveError::io("rename the finished dump to", target, e))?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            // Nothing else to do if this fails; the name marks it as a leftover.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
