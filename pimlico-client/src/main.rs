//! The `pimlico` command.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    pimlico_client::cli::main()
}
