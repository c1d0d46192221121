//! The JSON module listing.

mod common;
use common::*;
use serde_json::json;

#[test]
fn report_lists_every_module() {
    let p = load(&format!(
        "{HEADER}%%variant:v x=1\n{SRC}[sub]\ntype=subset\nsize=1|2\n[al]\ntype=alias\ninput=src\n[st]\ntype=store\ninput=al\n[ext]\ntype=my.tool\n"
    ));
    let r = pimlico_config::variant_report(&p);
    assert_eq!(r["pipeline"], "p");
    assert_eq!(r["variant"], "main");
    assert_eq!(r["variants"], json!(["main", "v"]));
    assert_eq!(r["order"], json!(["src", "sub[1]", "sub[2]", "st", "ext"]));
    assert_eq!(r["schedule"], json!(["st", "ext"]));
    assert_eq!(r["aliases"], json!({"al": "src"}));
    assert_eq!(
        r["pipeline_config"],
        json!({"name": "p", "release": "0.9.25"})
    );
    assert_eq!(
        r["modules"]["sub[2]"],
        json!({
            "type": "subset", "type_name": "subset", "unavailable": null,
            "inputs": {"corpus": [["src", null]]}, "options": {"size": 2, "offset": 0},
            "modvars": {}, "executable": false
        })
    );
    assert_eq!(
        r["modules"]["st"]["inputs"],
        json!({"corpus": [["al", null]]})
    );
    assert_eq!(r["modules"]["ext"]["type_name"], "tool");
    assert!(
        r["modules"]["ext"]["unavailable"]
            .as_str()
            .unwrap()
            .contains("my.tool")
    );
}
