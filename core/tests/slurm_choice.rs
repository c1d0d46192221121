//! Choosing the executor and the Slurm resources per module from the daemon's settings and
//! the local config (no cluster needed: nothing is submitted).

use std::path::Path;

use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::engine::LoadSpec;
use pimlico_core::exec::slurm::{ChoiceError, Resources};
use pimlico_core::exec::{ExecutorKind, ModuleExecutors, SlurmCluster, SlurmConfig};
use pimlico_core::store::Stores;
use pimlico_core::types::TypeRegistry;

const PIPELINE: &str = r#"[pipeline]
name=choice
release=latest

[ok]
type=command
cmd=true

[heavy]
type=command
cmd=true

[alt]
type=command
cmd={one}echo one|{two}echo two
"#;

fn executors(
    dir: &Path,
    local: &str,
    default: ExecutorKind,
    slurm: SlurmConfig,
) -> Result<ModuleExecutors, ChoiceError> {
    std::fs::write(dir.join("p.conf"), PIPELINE).unwrap();
    let local_file = dir.join("local.conf");
    std::fs::write(
        &local_file,
        format!("store={}\n{local}", dir.join("store").display()),
    )
    .unwrap();
    let load = LoadSpec {
        config: dir.join("p.conf"),
        variant: "main".into(),
        local_config: Some(local_file),
        overrides: Vec::new(),
        home: Some(dir.to_path_buf()),
    };
    let registry = TypeRegistry::new(DatatypeRegistry::standard());
    let pipeline = pimlico_core::load::load(&load, &registry).unwrap();
    let stores = Stores::for_pipeline(&pipeline).unwrap();
    let cluster = SlurmCluster::new(slurm).unwrap();
    ModuleExecutors::for_pipeline(&pipeline, &stores, default, &cluster)
}

#[test]
fn the_daemon_default_applies_unless_the_local_config_chooses() {
    let tmp = tempfile::tempdir().unwrap();
    let all_local = executors(tmp.path(), "", ExecutorKind::Local, SlurmConfig::default()).unwrap();
    assert_eq!(all_local.kind("ok"), ExecutorKind::Local);
    assert_eq!(all_local.resources("ok"), None);

    let chosen = executors(
        tmp.path(),
        "executor=slurm\nexecutor.heavy=local\nEXECUTOR.ALT=local\n",
        ExecutorKind::Local,
        SlurmConfig::default(),
    )
    .unwrap();
    assert_eq!(chosen.kind("ok"), ExecutorKind::Slurm);
    assert_eq!(chosen.kind("heavy"), ExecutorKind::Local);
    // A section's key covers every module it expands to.
    assert_eq!(chosen.kind("alt[one]"), ExecutorKind::Local);
    assert_eq!(chosen.kind("alt[two]"), ExecutorKind::Local);

    let one_module = executors(
        tmp.path(),
        "executor=local\nexecutor.alt[one]=slurm\n",
        ExecutorKind::Slurm,
        SlurmConfig::default(),
    )
    .unwrap();
    assert_eq!(one_module.kind("alt[one]"), ExecutorKind::Slurm);
    assert_eq!(one_module.kind("alt[two]"), ExecutorKind::Local);
    assert_eq!(one_module.kind("ok"), ExecutorKind::Local);
}

#[test]
fn resources_come_from_the_daemon_then_the_local_config_then_the_module() {
    let tmp = tempfile::tempdir().unwrap();
    let daemon = SlurmConfig {
        partition: Some("main".into()),
        cpus: Some(2),
        time: Some("4:00:00".into()),
        account: Some("lab".into()),
        sbatch_args: vec!["--qos=normal".into()],
        ..SlurmConfig::default()
    };
    let local = "slurm_partition.heavy=bigmem\nprocesses=3\nslurm_cpus.heavy=16\n\
                 slurm_mem=2G\nslurm_mem.heavy=64G\nslurm_sbatch_args=--nice=10 \"--comment=a b\"\n";
    let chosen = executors(tmp.path(), local, ExecutorKind::Slurm, daemon).unwrap();
    let extra = vec![
        "--qos=normal".to_string(),
        "--nice=10".to_string(),
        "--comment=a b".to_string(),
    ];
    assert_eq!(
        chosen.resources("ok"),
        Some(&Resources {
            partition: Some("main".into()),
            cpus: Some(3),
            mem: Some("2G".into()),
            time: Some("4:00:00".into()),
            account: Some("lab".into()),
            sbatch_args: extra.clone(),
        })
    );
    assert_eq!(
        chosen.resources("heavy"),
        Some(&Resources {
            partition: Some("bigmem".into()),
            cpus: Some(16),
            mem: Some("64G".into()),
            time: Some("4:00:00".into()),
            account: Some("lab".into()),
            sbatch_args: extra,
        })
    );
}

#[test]
fn unusable_values_are_refused_naming_the_key_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("local.conf").display().to_string();
    let error = |local: &str| {
        executors(
            tmp.path(),
            local,
            ExecutorKind::Local,
            SlurmConfig::default(),
        )
        .unwrap_err()
        .to_string()
    };
    let message = error("executor.ok=cluster\n");
    assert_eq!(
        message,
        format!(
            "local config key 'executor.ok' = 'cluster' ({file}): unknown executor 'cluster': \
             use 'local' or 'slurm'"
        )
    );
    let message = error("executor=slurm\nslurm_cpus.heavy=many\n");
    assert!(
        message.starts_with("local config key 'slurm_cpus.heavy' = 'many'")
            && message.ends_with("expected a whole number of CPUs, at least 1"),
        "{message}"
    );
    let message = error("executor=slurm\nslurm_time=1 hour\n");
    assert!(
        message.contains("'slurm_time' = '1 hour'") && message.contains("contains spaces"),
        "{message}"
    );
    let message = error("executor=slurm\nslurm_sbatch_args=--comment=\"open\n");
    assert!(message.contains("unbalanced quotes"), "{message}");
    let message = SlurmCluster::new(SlurmConfig {
        output_interval: -1.0,
        ..SlurmConfig::default()
    })
    .unwrap_err()
    .to_string();
    assert!(message.starts_with("output_interval = -1"), "{message}");
}
