//! Uploaded workbooks that are zip bombs: a valid-looking XLSX whose one
//! worksheet unpacks to 1 GiB is refused from its declared sizes, before
//! anything is unpacked, quickly and without the memory the bomb asks for.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{import_bytes, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_vangnet");

const MIB: u64 = 1024 * 1024;

/// About what the worksheet of the bomb unpacks to.
const BOMB_UNPACKED: u64 = 1024 * MIB;

/// How much more memory than a tiny CSV import refusing the bomb may take.
const MEMORY_ALLOWANCE_KIB: u64 = 32 * 1024;

/// Writes an XLSX workbook with the parts a spreadsheet program expects and a
/// worksheet of about 1 GiB (an opening tag, then spaces), deflated to about
/// 1 MiB: a valid archive (`unzip -t` passes) that never exists unpacked.
///
/// The deflate stream is written by hand rather than with the zip crate's
/// `ZipWriter`: zlib-rs, unoptimised in a debug build, needs about 30 s to
/// deflate 1 GiB, while the stream a compressor would make here is simple
/// enough to write directly. The run of spaces is a back-reference of 258
/// bytes at distance 1, repeated, in a block whose Huffman codes are one bit
/// each: 2 bits per 258 bytes, the densest deflate allows. Its CRC-32 is
/// computed from the run's length, not by reading 1 GiB.
fn write_bomb(path: &Path) -> u64 {
    let opening = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#;
    let closing = b"</t></is></c></row></sheetData></worksheet>";
    // One literal space, then whole back-references, to just under 1 GiB
    // with the other parts (so the refusal names 1024 MiB).
    let matches = (BOMB_UNPACKED - 64 * 1024 - (opening.len() + 1 + closing.len()) as u64) / 258;
    let spaces = 1 + 258 * matches;
    let sheet_size = opening.len() as u64 + spaces + closing.len() as u64;

    let mut bits = Bits::default();
    // Block 1, fixed codes: the opening tag and the first space.
    bits.put(0, 1);
    bits.put(1, 2);
    for byte in opening.iter().chain(b" ") {
        bits.fixed_literal(*byte);
    }
    bits.put_code(0, 7);
    // Block 2, dynamic codes: only end-of-block (256) and length 258 (285)
    // as literal/length codes, one distance code (0: distance 1), each 1 bit.
    bits.put(0, 1);
    bits.put(2, 2);
    bits.put(286 - 257, 5);
    bits.put(0, 5);
    bits.put(18 - 4, 4);
    // Code length codes, in deflate's order; only 18 (a run of zeros) and 1.
    for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        bits.put(u32::from(symbol == 18 || symbol == 1), 3);
    }
    // Code lengths (code for "1" is 0, for "18" is 1): 256 zeros as 138 + 118,
    // 1 for symbol 256, 28 zeros, 1 for symbol 285, 1 for distance code 0.
    for (code, extra) in [(1, Some(138 - 11)), (1, Some(118 - 11)), (0, None)] {
        bits.put(code, 1);
        if let Some(extra) = extra {
            bits.put(extra, 7);
        }
    }
    bits.put(1, 1);
    bits.put(28 - 11, 7);
    bits.put(0, 1);
    bits.put(0, 1);
    for _ in 0..matches {
        bits.put(1, 1); // length 258
        bits.put(0, 1); // distance 1
    }
    bits.put(0, 1); // end of block
                    // Block 3, fixed codes, final: the closing tags.
    bits.put(1, 1);
    bits.put(1, 2);
    for byte in closing {
        bits.fixed_literal(*byte);
    }
    bits.put_code(0, 7);
    let sheet = bits.finish();
    let crc = crc32_combine(
        crc32_combine(crc32(opening), crc32_of_run(b' ', spaces), spaces),
        crc32(closing),
        closing.len() as u64,
    );

    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="voorzieningen" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    let mut zip = ZipFile::create(path);
    for (name, content) in parts {
        let mut bits = Bits::default();
        bits.put(1, 1);
        bits.put(1, 2);
        for byte in content {
            bits.fixed_literal(*byte);
        }
        bits.put_code(0, 7);
        zip.add(name, &bits.finish(), content.len() as u64, crc32(content));
    }
    zip.add("xl/worksheets/sheet1.xml", &sheet, sheet_size, crc);
    zip.finish();
    sheet_size
}

/// Deflate's bit order: values least significant bit first, Huffman codes
/// most significant bit first.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    pending: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.pending |= u64::from(value) << self.count;
        self.count += count;
        while self.count >= 8 {
            self.bytes.push(self.pending as u8);
            self.pending >>= 8;
            self.count -= 8;
        }
    }

    fn put_code(&mut self, code: u32, length: u32) {
        self.put(code.reverse_bits() >> (32 - length), length);
    }

    /// A literal byte in deflate's fixed Huffman code.
    fn fixed_literal(&mut self, byte: u8) {
        match u32::from(byte) {
            b @ 0..=143 => self.put_code(0x30 + b, 8),
            b => self.put_code(0x190 + b - 144, 9),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.bytes.push(self.pending as u8);
        }
        self.bytes
    }
}

/// CRC-32 as ZIP uses it (reflected, polynomial 0xEDB88320), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// a·b modulo the CRC polynomial, in the reflected representation (as
/// zlib's `multmodp`); `a` must not be zero.
fn multmodp(a: u32, mut b: u32) -> u32 {
    let mut m = 1u32 << 31;
    let mut p = 0;
    loop {
        if a & m != 0 {
            p ^= b;
            if a & (m - 1) == 0 {
                return p;
            }
        }
        m >>= 1;
        b = if b & 1 == 1 {
            (b >> 1) ^ 0xEDB8_8320
        } else {
            b >> 1
        };
    }
}

/// The CRC-32 of A then B from the CRC-32s of A and B (zlib's
/// `crc32_combine`): A's CRC times x^(8·len(B)), plus B's.
fn crc32_combine(crc_a: u32, crc_b: u32, len_b: u64) -> u32 {
    let mut x_power = 1u32 << 30; // x^1, then x^2, x^4, …
    let mut shift = 1u32 << 31; // x^0
    let mut n = len_b * 8;
    while n != 0 {
        if n & 1 == 1 {
            shift = multmodp(x_power, shift);
        }
        x_power = multmodp(x_power, x_power);
        n >>= 1;
    }
    multmodp(shift, crc_a) ^ crc_b
}

/// The CRC-32 of `byte` repeated `n` times, by doubling.
fn crc32_of_run(byte: u8, mut n: u64) -> u32 {
    let (mut crc, mut piece, mut piece_len) = (0, crc32(&[byte]), 1);
    while n != 0 {
        if n & 1 == 1 {
            crc = crc32_combine(crc, piece, piece_len);
        }
        piece = crc32_combine(piece, piece, piece_len);
        piece_len *= 2;
        n >>= 1;
    }
    crc
}

/// A ZIP archive of deflated entries, written as it goes (no ZIP64: every
/// size fits in 32 bits).
struct ZipFile {
    file: BufWriter<File>,
    offset: u64,
    central: Vec<u8>,
    entries: u16,
}

impl ZipFile {
    fn create(path: &Path) -> ZipFile {
        ZipFile {
            file: BufWriter::new(File::create(path).expect("create bomb file")),
            offset: 0,
            central: Vec::new(),
            entries: 0,
        }
    }

    fn add(&mut self, name: &str, deflated: &[u8], size: u64, crc: u32) {
        let size = u32::try_from(size).expect("size fits ZIP32");
        let packed = u32::try_from(deflated.len()).expect("size fits ZIP32");
        let name_len = name.len() as u16;
        let date: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;
        let mut local = Vec::new();
        for (value, width) in [
            (0x0403_4b50, 4),
            (20, 2), // version needed: deflate
            (0, 2),  // flags
            (8, 2),  // method: deflate
            (0, 2),  // time
            (u32::from(date), 2),
            (crc, 4),
            (packed, 4),
            (size, 4),
            (u32::from(name_len), 2),
            (0, 2), // extra field length
        ] {
            local.extend_from_slice(&value.to_le_bytes()[..width]);
        }
        local.extend_from_slice(name.as_bytes());
        for (value, width) in [
            (0x0201_4b50, 4),
            (20, 2), // version made by
            (20, 2),
            (0, 2),
            (8, 2),
            (0, 2),
            (u32::from(date), 2),
            (crc, 4),
            (packed, 4),
            (size, 4),
            (u32::from(name_len), 2),
            (0, 2), // extra field length
            (0, 2), // comment length
            (0, 2), // disk number
            (0, 2), // internal attributes
            (0, 4), // external attributes
            (u32::try_from(self.offset).expect("offset fits ZIP32"), 4),
        ] {
            self.central
                .extend_from_slice(&value.to_le_bytes()[..width]);
        }
        self.central.extend_from_slice(name.as_bytes());
        self.file.write_all(&local).expect("write bomb");
        self.file.write_all(deflated).expect("write bomb");
        self.offset += (local.len() + deflated.len()) as u64;
        self.entries += 1;
    }

    fn finish(mut self) {
        let mut end = Vec::new();
        for (value, width) in [
            (0x0605_4b50, 4),
            (0, 2), // this disk
            (0, 2), // disk of the central directory
            (u32::from(self.entries), 2),
            (u32::from(self.entries), 2),
            (self.central.len() as u32, 4),
            (u32::try_from(self.offset).expect("offset fits ZIP32"), 4),
            (0, 2), // comment length
        ] {
            end.extend_from_slice(&value.to_le_bytes()[..width]);
        }
        self.file.write_all(&self.central).expect("write bomb");
        self.file.write_all(&end).expect("write bomb");
        self.file.flush().expect("write bomb");
    }
}

#[test]
fn the_bomb_checksum_arithmetic_agrees_with_reading_the_bytes() {
    let (a, b) = (&b"<t>"[..], &[b' '; 1000][..]);
    let whole: Vec<u8> = a.iter().chain(b).copied().collect();
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32_of_run(b' ', 1000), crc32(b));
    assert_eq!(crc32_combine(crc32(a), crc32(b), 1000), crc32(&whole));
}

/// The bomb in a temporary folder (kept alive by the returned guard).
fn bomb() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("voorzieningen.xlsx");
    let started = Instant::now();
    let unpacked = write_bomb(&path);
    let size = std::fs::metadata(&path).expect("bomb written").len();
    eprintln!(
        "zip bomb {}: {size} bytes packed, its worksheet {unpacked} bytes unpacked, written in {:?}",
        path.display(),
        started.elapsed()
    );
    assert!(
        size < 4 * MIB,
        "the bomb should pack small, not {size} bytes"
    );
    (dir, path)
}

#[tokio::test]
async fn a_zip_bomb_is_refused_on_row_1_from_its_declared_size() {
    let (_dir, path) = bomb();
    let bytes = std::fs::read(&path).expect("read bomb");
    let db = TestDb::new().await;
    let store = db.store().await;
    let started = Instant::now();
    let report = import_bytes(&store, "voorzieningen.xlsx", &bytes, true).await;
    let took = started.elapsed();
    eprintln!("import refused the bomb in {took:?}: {report}");
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 1);
    assert_eq!(
        report.errors[0].message,
        "the workbook would unpack to 1024 MiB, more than the limit of 128 MiB"
    );
    assert!(!report.written);
    assert!(
        took < Duration::from_secs(2),
        "refusing took {took:?}: was the bomb unpacked?"
    );
}

/// A finished run of the binary and the most memory it held (kilobytes).
struct Measured {
    output: Output,
    peak_kib: u64,
}

/// Runs `vangnet import facilities FILE --dry-run --database DB` and measures
/// its peak resident memory in KiB. Under GNU time (`/usr/bin/time -f %M`,
/// Debian's `time` package) when it is installed: it reports the maximum
/// resident set size from the kernel's rusage when the child ends, so no
/// peak is missed. Otherwise by polling the high-water mark `VmHWM` in
/// `/proc/PID/status` every 5 ms: the mark only grows, but it disappears
/// when the process exits, so growth in its last few milliseconds is
/// missed (unpacking a bomb takes far longer than that).
fn import_measured(file: &Path, database: &str) -> Measured {
    let time = Path::new("/usr/bin/time");
    let args = [
        "import".as_ref(),
        "facilities".as_ref(),
        file.as_os_str(),
        "--dry-run".as_ref(),
        "--database".as_ref(),
        database.as_ref(),
    ];
    if time.exists() {
        let report = tempfile::NamedTempFile::new().expect("temp file");
        let output = Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(report.path())
            .arg(BIN)
            .args(args)
            .env_remove("VANGNET_DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .expect("run vangnet under /usr/bin/time");
        let written = std::fs::read_to_string(report.path()).expect("read time's report");
        // A run that fails adds "Command exited with non-zero status N"
        // before the figure; the figure is the last line.
        let peak_kib = written
            .lines()
            .last()
            .and_then(|line| line.trim().parse().ok())
            .unwrap_or_else(|| panic!("/usr/bin/time wrote no peak memory: {written:?}"));
        return Measured { output, peak_kib };
    }
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("VANGNET_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vangnet");
    let status_file = format!("/proc/{}/status", child.id());
    // Read the pipes on threads so a chatty child cannot block on them.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().expect("wait for vangnet") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Measured {
        output: Output {
            status,
            stdout: out.join().expect("stdout thread"),
            stderr: err.join().expect("stderr thread"),
        },
        peak_kib,
    }
}

#[tokio::test]
async fn the_binary_refuses_a_zip_bomb_without_unpacking_it() {
    let (dir, bomb) = bomb();
    let csv = dir.path().join("klein.csv");
    std::fs::write(
        &csv,
        "naam;organisatie;voorzieningen;plaats\nDemo Klein;Demo Zorg;spuitomruil;Utrecht\n",
    )
    .expect("write CSV");
    let db = TestDb::new().await;
    // Migrate first, so that both runs below do the same work around the file.
    drop(db.store().await);

    let baseline = import_measured(&csv, &db.url);
    assert!(
        baseline.output.status.success(),
        "the baseline import failed:\n{}\n{}",
        String::from_utf8_lossy(&baseline.output.stdout),
        String::from_utf8_lossy(&baseline.output.stderr)
    );
    let started = Instant::now();
    let measured = import_measured(&bomb, &db.url);
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&measured.output.stdout);
    let stderr = String::from_utf8_lossy(&measured.output.stderr);
    eprintln!(
        "peak resident memory: {} KiB importing a tiny CSV, {} KiB refusing the zip bomb \
         ({:+} KiB) in {took:?}; stdout: {stdout}",
        baseline.peak_kib,
        measured.peak_kib,
        measured.peak_kib as i64 - baseline.peak_kib as i64
    );
    assert!(
        !measured.output.status.success(),
        "the bomb was accepted:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(
            "voorzieningen.xlsx: row 1: the workbook would unpack to 1024 MiB, \
             more than the limit of 128 MiB"
        ),
        "stdout does not name the limit:\n{stdout}\n{stderr}"
    );
    assert!(
        measured.peak_kib < baseline.peak_kib + MEMORY_ALLOWANCE_KIB,
        "refusing the bomb took {} KiB at its peak, more than {} KiB over the baseline of {} KiB",
        measured.peak_kib,
        MEMORY_ALLOWANCE_KIB,
        baseline.peak_kib
    );
}
