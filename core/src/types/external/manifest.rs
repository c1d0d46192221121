//! The external module type manifest, `module.toml`: description, inputs, outputs, options,
//! software dependencies and the command to run. Errors name the file, the line and the field.

use std::path::{Path, PathBuf};

use pimlico_config::{
    DatatypeExpr, InputDecl, ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl,
    SignatureKind,
};
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::deps::Dependency;

/// File name of the manifest inside a module type's directory.
pub const MANIFEST_FILE: &str = "module.toml";

/// A malformed or unreadable manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid module type manifest {}{}: {}{message}", path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default(),
        field.as_ref().map(|f| format!("field '{f}': ")).unwrap_or_default())]
pub struct ManifestError {
    /// The manifest file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field concerned, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// A parsed manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The signature it declares.
    pub signature: ModuleSignature,
    /// Its software dependencies.
    pub dependencies: Vec<Dependency>,
    /// The command: program (resolved against the type directory when it contains `/`) and
    /// arguments.
    pub command: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    description: Option<String>,
    type_name: Option<String>,
    #[serde(default)]
    inputs: Vec<RawInput>,
    #[serde(default)]
    outputs: Vec<RawOutput>,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    dependencies: RawDependencies,
    execute: Spanned<RawExecute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    name: Spanned<String>,
    datatype: Spanned<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    multiple: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    name: Spanned<String>,
    datatype: Option<Spanned<String>>,
    from_input: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    name: Spanned<String>,
    #[serde(rename = "type")]
    ty: Option<Spanned<String>>,
    default: Option<Spanned<toml::Value>>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    help: String,
    choices: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDependencies {
    #[serde(default)]
    commands: Vec<RawCommandDep>,
    python: Option<String>,
    #[serde(default)]
    python_modules: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCommandDep {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        version_args: Vec<String>,
        min_version: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExecute {
    command: Spanned<Vec<String>>,
}

/// Reads and checks a manifest. `type_dir` is the type's directory; `type_path` the dotted type.
pub fn parse_manifest(
    path: &Path,
    type_dir: &Path,
    type_path: &str,
) -> Result<Manifest, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|e| ManifestError {
        path: path.to_path_buf(),
        line: None,
        field: None,
        message: format!("could not read it: {e}"),
    })?;
    parse_manifest_str(&text, path, type_dir, type_path)
}

/// Parses manifest text (see [`parse_manifest`]).
pub fn parse_manifest_str(
    text: &str,
    path: &Path,
    type_dir: &Path,
    type_path: &str,
) -> Result<Manifest, ManifestError> {
    let err = |span: Option<std::ops::Range<usize>>, field: Option<&str>, message: String| {
        ManifestError {
            path: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            field: field.map(str::to_string),
            message,
        }
    };
    let raw: RawManifest =
        toml::from_str(text).map_err(|e| err(e.span(), None, e.message().trim().to_string()))?;

    let mut inputs = Vec::new();
    for input in &raw.inputs {
        let datatype = parse_datatype(&input.datatype)
            .map_err(|m| err(Some(input.datatype.span()), Some("inputs.datatype"), m))?;
        if inputs
            .iter()
            .any(|i: &InputDecl| i.name == *input.name.get_ref())
        {
            let m = format!("input '{}' is declared twice", input.name.get_ref());
            return Err(err(Some(input.name.span()), Some("inputs.name"), m));
        }
        inputs.push(InputDecl {
            name: check_name(&input.name)
                .map_err(|m| err(Some(input.name.span()), Some("inputs.name"), m))?,
            datatype,
            optional: input.optional,
            multiple: input.multiple,
        });
    }

    let mut outputs = Vec::new();
    for output in &raw.outputs {
        let name = check_name(&output.name)
            .map_err(|m| err(Some(output.name.span()), Some("outputs.name"), m))?;
        let datatype = match (&output.datatype, &output.from_input) {
            (Some(dt), None) => OutputDatatype::Fixed(
                parse_datatype(dt)
                    .map_err(|m| err(Some(dt.span()), Some("outputs.datatype"), m))?,
            ),
            (None, Some(input)) => {
                if !inputs.iter().any(|i| i.name == *input.get_ref()) {
                    let m = format!("no input named '{}' is declared", input.get_ref());
                    return Err(err(Some(input.span()), Some("outputs.from_input"), m));
                }
                OutputDatatype::FromInput {
                    input: input.get_ref().clone(),
                }
            }
            _ => {
                let m = "give exactly one of 'datatype' and 'from_input'".to_string();
                return Err(err(Some(output.name.span()), Some("outputs"), m));
            }
        };
        outputs.push(OutputDecl { name, datatype });
    }

    let options = raw
        .options
        .iter()
        .map(|o| parse_option(o).map_err(|(span, field, m)| err(Some(span), Some(field), m)))
        .collect::<Result<Vec<_>, _>>()?;

    let command = raw.execute.get_ref().command.get_ref().clone();
    if command.is_empty() || command[0].trim().is_empty() {
        let span = raw.execute.get_ref().command.span();
        return Err(err(
            Some(span),
            Some("execute.command"),
            "must name a program (and its arguments), e.g. [\"python3\", \"run.py\"]".into(),
        ));
    }
    // The program, when given as a path, and arguments starting with `./` or `../` are
    // relative to the type's directory (programs run in the config file's directory).
    let command: Vec<String> = command
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            let relative_path = arg.starts_with("./") || arg.starts_with("../");
            let program_path = i == 0 && arg.contains('/') && Path::new(arg).is_relative();
            if relative_path || program_path {
                type_dir.join(arg).display().to_string()
            } else {
                arg.clone()
            }
        })
        .collect();

    let type_name = raw.type_name.unwrap_or_else(|| {
        type_path
            .rsplit('.')
            .next()
            .unwrap_or(type_path)
            .to_string()
    });
    Ok(Manifest {
        signature: ModuleSignature {
            type_name,
            description: raw.description.unwrap_or_default(),
            inputs,
            outputs,
            optional_outputs: Vec::new(),
            output_groups: Vec::new(),
            options,
            executable: true,
            document_map: false,
            kind: SignatureKind::Module,
        },
        dependencies: dependencies(raw.dependencies, type_dir),
        command,
    })
}

type FieldError = (std::ops::Range<usize>, &'static str, String);

fn parse_option(raw: &RawOption) -> Result<OptionDecl, FieldError> {
    let name = check_name(&raw.name).map_err(|m| (raw.name.span(), "options.name", m))?;
    let ty_name = raw.ty.as_ref().map_or("string", |t| t.get_ref().as_str());
    let ty_span = raw.ty.as_ref().map_or(raw.name.span(), Spanned::span);
    let ty = match ty_name {
        "string" | "str" => OptionType::String,
        "int" => OptionType::Int,
        "float" => OptionType::Float,
        "bool" => OptionType::Bool,
        "list" => OptionType::CommaList,
        "json" => OptionType::Json,
        "choice" => match &raw.choices {
            Some(choices) if !choices.is_empty() => OptionType::Choice(choices.clone()),
            _ => {
                let m = "type 'choice' needs a non-empty 'choices' list".to_string();
                return Err((ty_span, "options.choices", m));
            }
        },
        other => {
            let m = format!(
                "unknown option type '{other}': use string, int, float, bool, choice, list or json"
            );
            return Err((ty_span, "options.type", m));
        }
    };
    let default = match &raw.default {
        None => Value::Null,
        Some(value) => convert_default(value.get_ref(), &ty)
            .map_err(|m| (value.span(), "options.default", m))?,
    };
    Ok(OptionDecl {
        name,
        help: raw.help.clone(),
        ty,
        default,
        required: raw.required,
    })
}

fn convert_default(value: &toml::Value, ty: &OptionType) -> Result<Value, String> {
    let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let ok = match ty {
        OptionType::String => json.is_string(),
        OptionType::Int => json.is_i64() || json.is_u64(),
        OptionType::Float => json.is_number(),
        OptionType::Bool => json.is_boolean(),
        OptionType::Choice(choices) => json
            .as_str()
            .is_some_and(|s| choices.iter().any(|c| c == s)),
        OptionType::CommaList => json
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        OptionType::Json | OptionType::Custom { .. } => true,
    };
    if ok {
        Ok(json)
    } else {
        Err(format!("default {json} does not fit option type {ty:?}"))
    }
}

fn parse_datatype(text: &Spanned<String>) -> Result<DatatypeExpr, String> {
    DatatypeExpr::parse(text.get_ref()).ok_or_else(|| {
        format!(
            "'{}' is not a datatype: write a name such as 'TextFile' or \
             'GroupedCorpus<TokenizedDocumentType>'",
            text.get_ref()
        )
    })
}

fn check_name(name: &Spanned<String>) -> Result<String, String> {
    let text = name.get_ref();
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(text.clone())
    } else {
        Err(format!(
            "'{text}' is not a valid name: use letters, digits, '_' and '-'"
        ))
    }
}

fn dependencies(raw: RawDependencies, type_dir: &Path) -> Vec<Dependency> {
    let python = raw.python.unwrap_or_else(|| "python3".to_string());
    let mut deps: Vec<Dependency> = raw
        .commands
        .into_iter()
        .map(|c| match c {
            RawCommandDep::Name(name) => Dependency::Command {
                name,
                version_args: Vec::new(),
                min_version: None,
            },
            RawCommandDep::Full {
                name,
                version_args,
                min_version,
            } => Dependency::Command {
                name,
                version_args,
                min_version,
            },
        })
        .collect();
    deps.extend(
        raw.python_modules
            .into_iter()
            .map(|module| Dependency::PythonModule {
                module,
                python: python.clone(),
            }),
    );
    deps.extend(raw.env.into_iter().map(|name| Dependency::EnvVar { name }));
    deps.extend(raw.files.into_iter().map(|f| Dependency::File {
        path: type_dir.join(f),
    }));
    deps
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
