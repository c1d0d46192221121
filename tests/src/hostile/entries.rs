//! Hostile entries: paths that escape, links, devices and other types, and header tricks (PAX
//! records and GNU long names that disagree with the header).

use super::{Case, Target, case, dump};
use crate::tar_bytes::*;

pub(super) fn escapes(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let victim = t.outside.join("victim").display().to_string();
    let outside = t.outside.display().to_string();
    let up = format!("{m}/../../../../../../../../victim");
    vec![
        case(
            "dot-dot",
            "paths",
            dump(t, &[dir(&format!("{m}/")), file(&up, b"pwned")]),
            &[&up, "'..'"],
        ),
        Case {
            name: "absolute",
            category: "paths",
            archive: dump(t, &[file(&victim, b"pwned")]),
            expect: vec![victim.clone(), "absolute".into()],
            above_archive_layer: false,
        },
        case(
            "dot-dot-after-module",
            "paths",
            dump(t, &[file(&format!("{m}/sub/../../x"), b"pwned")]),
            &["'..'"],
        ),
        case(
            "symlink-then-file-through-it",
            "links",
            dump(
                t,
                &[
                    dir(&format!("{m}/")),
                    special(&format!("{m}/link"), b'2', &outside),
                    file(&format!("{m}/link/victim"), b"pwned"),
                ],
            ),
            &["link", "symbolic link"],
        ),
        case(
            "relative-symlink",
            "links",
            dump(t, &[special(&format!("{m}/up"), b'2', "../../../../../..")]),
            &["up", "symbolic link"],
        ),
        case(
            "hard-link-out",
            "links",
            dump(t, &[special(&format!("{m}/hl"), b'1', &victim)]),
            &["hl", "hard link"],
        ),
        case(
            "hard-link-relative",
            "links",
            dump(t, &[special(&format!("{m}/hl2"), b'1', "../../../victim")]),
            &["hl2", "hard link"],
        ),
        case(
            "gnu-long-link-target",
            "links",
            dump(
                t,
                &[concat(&[
                    gnu_long_link(format!("{outside}/{}", "x".repeat(120)).as_bytes()),
                    special(&format!("{m}/longlink"), b'2', "short"),
                ])],
            ),
            &["longlink", "symbolic link"],
        ),
        case(
            "backslash",
            "paths",
            dump(t, &[file(&format!("{m}\\..\\..\\victim"), b"x")]),
            &["backslash"],
        ),
        case(
            "empty-component",
            "paths",
            dump(t, &[file(&format!("{m}//a"), b"x")]),
            &["empty path component"],
        ),
        case(
            "not-utf8",
            "paths",
            dump(
                t,
                &[raw_member(
                    &[m.as_bytes(), b"/\xff\xfe"].concat(),
                    b'0',
                    b"x",
                    b"",
                )],
            ),
            &["UTF-8"],
        ),
    ]
}

pub(super) fn types(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    vec![
        case(
            "char-device",
            "devices",
            dump(t, &[special(&format!("{m}/tty"), b'3', "")]),
            &["tty", "device"],
        ),
        case(
            "block-device",
            "devices",
            dump(t, &[special(&format!("{m}/sda"), b'4', "")]),
            &["sda", "device"],
        ),
        case(
            "fifo",
            "devices",
            dump(t, &[special(&format!("{m}/pipe"), b'6', "")]),
            &["pipe", "FIFO"],
        ),
        case(
            "gnu-sparse",
            "types",
            dump(
                t,
                &[gnu_member(format!("{m}/sparse").as_bytes(), b'S', b"")],
            ),
            &["sparse"],
        ),
        case(
            "global-pax",
            "types",
            dump(
                t,
                &[raw_member(b"pax_global_header", b'g', b"11 a=bcdef\n", b"")],
            ),
            &["global PAX"],
        ),
        case(
            "unknown-type",
            "types",
            dump(t, &[special(&format!("{m}/z"), b'Z', "")]),
            &["entry type 'Z'"],
        ),
        case(
            "directory-with-data",
            "types",
            dump(
                t,
                &[raw_member(format!("{m}/d/").as_bytes(), b'5', b"data", b"")],
            ),
            &["directory entry carries"],
        ),
    ]
}

pub(super) fn header_tricks(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let innocent = format!("{m}/innocent");
    // CVE-2025-62518: the header says 0 bytes, PAX says 1536, hiding a smuggled member from
    // readers that trust the header (and the reverse).
    let mut hidden = file(&format!("{m}/../../../victim"), b"pwned");
    hidden.resize(1536, 0);
    let pax_bigger = concat(&[
        pax(&[("size", b"1536")]),
        header(innocent.as_bytes(), b'0', 0, b""),
        hidden.clone(),
    ]);
    let pax_smaller = concat(&[
        pax(&[("size", b"0")]),
        header(innocent.as_bytes(), b'0', 1536, b""),
        hidden,
    ]);
    let pax_path = concat(&[
        pax(&[("path", format!("{m}/../../../victim").as_bytes())]),
        file(&innocent, b"pwned"),
    ]);
    let pax_nul = concat(&[
        pax(&[("path", format!("{m}/a\0b").as_bytes())]),
        file(&innocent, b"x"),
    ]);
    let pax_huge = concat(&[
        pax(&[("comment", &vec![b'a'; 2 << 20])]),
        file(&innocent, b"x"),
    ]);
    let long_up = format!("{m}/{}/../../../victim", "a".repeat(100));
    let long_name = concat(&[gnu_long_name(long_up.as_bytes()), file(&innocent, b"pwned")]);
    let two_long = concat(&[
        gnu_long_name(format!("{m}/first").as_bytes()),
        gnu_long_name(format!("{m}/second").as_bytes()),
        file(&innocent, b"x"),
    ]);
    let long_outside = concat(&[
        gnu_long_name(format!("elsewhere/{}", "b".repeat(120)).as_bytes()),
        file(&innocent, b"x"),
    ]);
    vec![
        case(
            "pax-size-desync-bigger",
            "pax-size",
            dump(t, &[pax_bigger]),
            &[&innocent, "PAX size (1536 bytes)", "header size (0 bytes)"],
        ),
        case(
            "pax-size-desync-smaller",
            "pax-size",
            dump(t, &[pax_smaller]),
            &[&innocent, "PAX size (0 bytes)"],
        ),
        case("pax-path-dot-dot", "paths", dump(t, &[pax_path]), &["'..'"]),
        case("pax-path-nul", "paths", dump(t, &[pax_nul]), &["NUL"]),
        case(
            "pax-huge-headers",
            "pax-size",
            dump(t, &[dir(&format!("{m}/")), pax_huge]),
            &["extension headers"],
        ),
        case(
            "gnu-long-name-dot-dot",
            "gnu-long-name",
            dump(t, &[long_name]),
            &["'..'"],
        ),
        case(
            "gnu-two-long-names",
            "gnu-long-name",
            dump(t, &[dir(&format!("{m}/")), two_long]),
            &["two long name entries"],
        ),
        case(
            "gnu-long-name-outside",
            "gnu-long-name",
            dump(t, &[long_outside]),
            &["elsewhere/bbbb", "outside the module directory"],
        ),
        case(
            "gnu-dangling-long-name",
            "gnu-long-name",
            dump(
                t,
                &[
                    dir(&format!("{m}/")),
                    gnu_long_name(format!("{m}/dangling").as_bytes()),
                ],
            ),
            &[&format!("after \"{m}/\"")],
        ),
    ]
}
