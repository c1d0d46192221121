//! Module specifications on the command line: names, 1-based numbers into the execution
//! schedule, `A...B` ranges and base names of expanded modules (all their expansions).

use pimlico_config::Pipeline;

/// A module specification that cannot be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

/// The executable modules in order (what `status` numbers).
pub fn schedule(pipeline: &Pipeline) -> Vec<String> {
    pipeline.schedule().map(|m| m.name.clone()).collect()
}

/// A number is replaced by the module it numbers; anything else is returned unchanged.
pub fn module_number_to_name(pipeline: &Pipeline, spec: &str) -> Result<String, SelectionError> {
    let modules = schedule(pipeline);
    if modules.iter().any(|m| m == spec) {
        return Ok(spec.to_string());
    }
    match spec.parse::<i64>() {
        Ok(number) if number >= 1 && (number as usize) <= modules.len() => {
            Ok(modules[number as usize - 1].clone())
        }
        Ok(number) => Err(SelectionError(format!(
            "invalid module number: {number}. The pipeline has {} modules",
            modules.len()
        ))),
        Err(_) => Ok(spec.to_string()),
    }
}

/// Expands a list of specifications: numbers, `A...B` ranges (the dots may be separate
/// arguments) and base names of expanded modules.
pub fn module_numbers_to_names(
    pipeline: &Pipeline,
    specs: &[String],
) -> Result<Vec<String>, SelectionError> {
    let modules = schedule(pipeline);
    let joined = specs.join(" ").replace("...", " ... ");
    let mut names: Vec<String> = Vec::new();
    let mut fill_next = false;
    for spec in joined.split_whitespace() {
        if spec == "..." {
            fill_next = true;
            continue;
        }
        let name = module_number_to_name(pipeline, spec)?;
        let next: Vec<String> = match pipeline.expanded.get(&name) {
            Some(expansions) => modules
                .iter()
                .filter(|m| expansions.contains(m))
                .cloned()
                .collect(),
            None => vec![name.clone()],
        };
        if fill_next {
            let not_found = |m: &str| {
                SelectionError(format!(
                    "could not find module '{m}'. Can only use module ranges with explicit module \
                     names/numbers that exist in the pipeline"
                ))
            };
            let start = match names.last() {
                None => {
                    let first = modules.first().ok_or_else(|| not_found(&name))?;
                    names.push(first.clone());
                    0
                }
                Some(prev) => modules
                    .iter()
                    .position(|m| m == prev)
                    .ok_or_else(|| not_found(prev))?,
            };
            let mut end = usize::MAX;
            for m in &next {
                end = end.min(
                    modules
                        .iter()
                        .position(|s| s == m)
                        .ok_or_else(|| not_found(m))?,
                );
            }
            if next.is_empty() || start >= end {
                return Err(SelectionError(format!(
                    "invalid range of modules: {} ({start}) ... {name} ({end})",
                    names.last().map_or("", String::as_str)
                )));
            }
            names.extend(modules[start + 1..end].iter().cloned());
            fill_next = false;
        }
        names.extend(next);
    }
    if fill_next {
        // A trailing `A...`: up to the end of the schedule.
        let start = match names.last() {
            Some(prev) => modules.iter().position(|m| m == prev).map_or(0, |i| i + 1),
            None => 0,
        };
        names.extend(modules[start..].iter().cloned());
    }
    Ok(names)
}
