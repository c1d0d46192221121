//! The seed scenario: two local configs stand for two servers. Module 1 runs on the first,
//! its directory is moved into the second's stores, and module 2 runs on the second, which
//! never ran module 1.

use pimlico_tests::{Workspace, history, status, tree};

const PIPELINE: &str = r#"[pipeline]
name=demo
release=latest

## Making data
[first]
type=command
cmd=printf 'hello world\n' > "$PIMLICO_OUTPUT/words.txt"

## Using data
[second]
type=command
input_data=first
cmd=tr a-z A-Z < "$PIMLICO_INPUT/words.txt" > "$PIMLICO_OUTPUT/upper.txt"
"#;

#[test]
fn module_two_runs_on_a_second_server_that_never_ran_module_one() {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc_a", &format!("store={}\n", ws.join("serverA").display()));
    ws.write(
        "lc_b",
        &format!(
            "store_fast={}\nstore_big={}\n",
            ws.join("serverB_fast").display(),
            ws.join("serverB_big").display()
        ),
    );

    // Server A runs module 1.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "run", "1"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("Successfully executed all modules: first"),
        "{}",
        run.all()
    );
    let first_a = ws.join("serverA/demo/main/first");
    assert_eq!(status(&first_a).as_deref(), Some("COMPLETE"));
    let files = tree(&first_a);

    // Server B has never seen the pipeline: module 2 is not ready.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "run", "2"])
        .expect_code(1);
    assert!(
        run.stderr().contains(
            "Error: module 'second' not ready to run: cannot execute module 'second', since its \
             inputs are not all ready: first (default output)"
        ),
        "{}",
        run.all()
    );
    assert!(
        !ws.join("serverB_fast").exists(),
        "a refused run wrote nothing"
    );

    // Module 1's directory arrives in server B's second store.
    let first_b = ws.join("serverB_big/demo/main/first");
    std::fs::create_dir_all(first_b.parent().unwrap()).unwrap();
    std::fs::rename(&first_a, &first_b).unwrap();
    assert_eq!(tree(&first_b), files);

    let st = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "status", "--xa"])
        .expect_code(0);
    let out = st.stdout();
    assert!(
        out.contains(" 1. first\n       type: command\n       status: COMPLETE"),
        "{out}"
    );
    assert!(
        out.contains(
            " 2. second\n       type: command\n       status: UNEXECUTED\n       input data: ready"
        ),
        "{out}"
    );

    // Server B runs module 2; output goes to its output store (the first one).
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "run", "2"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("Successfully executed all modules: second"),
        "{}",
        run.all()
    );
    let second = ws.join("serverB_fast/demo/main/second");
    assert_eq!(
        std::fs::read_to_string(second.join("output/data/upper.txt")).unwrap(),
        "HELLO WORLD\n"
    );
    assert_eq!(status(&second).as_deref(), Some("COMPLETE"));
    assert_eq!(
        history(&second).last().map(String::as_str),
        Some("Execution completed successfully")
    );
    // Module 1's data on server B was read, not touched; module 1 never ran there.
    assert_eq!(tree(&first_b), files);
    assert!(!ws.join("serverB_fast/demo/main/first").exists());

    let inputs = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "inputs", "second"])
        .expect_code(0);
    assert!(
        inputs.stdout().contains(&format!(
            "Data (base_datatype) available in:\n - {}",
            first_b.join("output").display()
        )),
        "{}",
        inputs.all()
    );
    let output = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "output", "second"])
        .expect_code(0);
    assert_eq!(
        output.stdout(),
        format!(
            "Output location for module 'second': {}\n",
            second.display()
        )
    );

    // Nothing is left to do on either server.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "run", "second"])
        .expect_code(0);
    assert!(
        run.stderr().contains("No modules left to run!"),
        "{}",
        run.all()
    );
}
