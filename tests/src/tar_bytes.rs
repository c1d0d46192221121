//! Tar members written byte by byte, for archives that no tar library would produce: lying size
//! fields, links and devices, GNU long names and PAX records that disagree with the header.

use std::io::Write;

/// Size of a tar block.
pub const BLOCK: usize = 512;

fn checksum(h: &mut [u8]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h[..BLOCK].iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// One ustar header; `size` is written as given, whatever data follows.
pub fn header(name: &[u8], typeflag: u8, size: u64, linkname: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; BLOCK];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    let mode: &[u8] = if typeflag == b'5' {
        b"0000755\0"
    } else {
        b"0000644\0"
    };
    h[100..108].copy_from_slice(mode);
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(format!("{:011o}\0", 1_600_000_000u64).as_bytes());
    h[156] = typeflag;
    let l = linkname.len().min(100);
    h[157..157 + l].copy_from_slice(&linkname[..l]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    checksum(&mut h);
    h
}

/// `data` padded with zeros to whole blocks.
pub fn padded(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.resize(data.len().div_ceil(BLOCK) * BLOCK, 0);
    out
}

/// A member: its header, then its data padded.
pub fn raw_member(name: &[u8], typeflag: u8, data: &[u8], linkname: &[u8]) -> Vec<u8> {
    let mut out = header(name, typeflag, data.len() as u64, linkname);
    out.extend(padded(data));
    out
}

/// A regular file.
pub fn file(name: &str, data: &[u8]) -> Vec<u8> {
    raw_member(name.as_bytes(), b'0', data, b"")
}

/// A directory (give the name with its trailing `/`).
pub fn dir(name: &str) -> Vec<u8> {
    raw_member(name.as_bytes(), b'5', b"", b"")
}

/// A member of another type (links, devices, FIFOs...), without data.
pub fn special(name: &str, typeflag: u8, linkname: &str) -> Vec<u8> {
    raw_member(name.as_bytes(), typeflag, b"", linkname.as_bytes())
}

/// A GNU-format member (GNU magic and the "realsize" field sparse members use).
pub fn gnu_member(name: &[u8], typeflag: u8, data: &[u8]) -> Vec<u8> {
    let mut out = raw_member(name, typeflag, data, b"");
    out[257..265].copy_from_slice(b"ustar  \0");
    out[483..495].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    checksum(&mut out[..BLOCK]);
    out
}

/// A local PAX extended header with the given records.
pub fn pax(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (key, value) in records {
        // "<len> <key>=<value>\n", where len counts itself.
        let rest = key.len() + value.len() + 3;
        let mut len = rest + 1;
        while len.to_string().len() + rest != len {
            len += 1;
        }
        body.extend_from_slice(format!("{len} {key}=").as_bytes());
        body.extend_from_slice(value);
        body.push(b'\n');
    }
    raw_member(b"PaxHeader", b'x', &body, b"")
}

/// A GNU long-name member (`././@LongLink`, type `L`) naming the next member.
pub fn gnu_long_name(name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    raw_member(b"././@LongLink", b'L', &data, b"")
}

/// A GNU long-link member (type `K`) giving the next member's link target.
pub fn gnu_long_link(target: &[u8]) -> Vec<u8> {
    let mut data = target.to_vec();
    data.push(0);
    raw_member(b"././@LongLink", b'K', &data, b"")
}

/// The two zero blocks that end an archive.
pub fn end() -> Vec<u8> {
    vec![0u8; 2 * BLOCK]
}

/// `dump_metadata.json` as Pimlico writes it.
pub fn metadata(pipeline: &str, variant: &str, module: &str) -> Vec<u8> {
    let json = serde_json::json!({
        "pipeline_name": pipeline,
        "module_name": module,
        "dumped": "2026-01-02 03:04:05",
        "hostname": "attacker",
        "variant": variant,
    });
    file("dump_metadata.json", json.to_string().as_bytes())
}

/// Members concatenated.
pub fn concat(members: &[Vec<u8>]) -> Vec<u8> {
    members.concat()
}

/// gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// zstd-compressed.
pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 1).expect("zstd in memory")
}
