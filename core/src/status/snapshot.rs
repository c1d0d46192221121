//! Config snapshots: an uncompressed tar of every config file (basenames only) written at each
//! execution, `pipeline_config.tar`, then `pipeline_config.1.tar`, `pipeline_config.2.tar`, ...

use std::path::{Path, PathBuf};

use tokio::fs::File;
use tokio::io::AsyncWriteExt;

use crate::error::{IoContext, IoError};

/// Writes the snapshot into `module_dir` under the next free name and returns its path.
pub async fn write_config_snapshot(
    module_dir: &Path,
    files: &[PathBuf],
) -> Result<PathBuf, IoError> {
    tokio::fs::create_dir_all(module_dir)
        .await
        .ctx("creating module directory", module_dir)?;
    let mut path = module_dir.join("pipeline_config.tar");
    let mut run = 1;
    while tokio::fs::try_exists(&path).await.ctx("checking", &path)? {
        path = module_dir.join(format!("pipeline_config.{run}.tar"));
        run += 1;
    }
    let file = File::create(&path).await.ctx("creating", &path)?;
    let mut builder = tokio_tar::Builder::new(file);
    for config in files {
        let name = config.file_name().unwrap_or(config.as_os_str());
        builder
            .append_path_with_name(config, name)
            .await
            .ctx("adding config file to snapshot", config)?;
    }
    let mut file = builder.into_inner().await.ctx("finishing", &path)?;
    file.flush().await.ctx("writing", &path)?;
    Ok(path)
}
