//! Applying document maps on several cores while keeping the input's document order.
//!
//! One thread reads the input and cuts it into batches, worker threads map whole batches, and
//! the calling thread puts the results back in order and hands them to the sink (the output
//! writer). Channels are bounded, so memory stays proportional to the number of workers
//! whatever the corpus size. When anything fails, dropping the channels stops every thread.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use super::{DocMapper, apply};
use crate::corpus::DocStream;
use crate::error::{Error, Result};
use crate::formats::grouped::DocRef;

/// Documents per batch, at most.
const BATCH_DOCS: usize = 256;
/// Bytes of document data per batch, at most (one document may exceed it).
const BATCH_BYTES: usize = 1 << 20;

/// Document maps applied one after the other: the filters a module reads through, then its own.
#[derive(Clone, Default)]
pub struct Chain(pub Vec<Arc<dyn DocMapper>>);

impl Chain {
    /// Maps `doc` through every mapper into `out` (cleared first), using `scratch` in between.
    pub fn run(&self, doc: &DocRef<'_>, out: &mut Vec<u8>, scratch: &mut Vec<u8>) -> Result<()> {
        out.clear();
        match self.0.as_slice() {
            [] => out.extend_from_slice(doc.data),
            [only] => apply(only.as_ref(), doc, out)?,
            [first, rest @ ..] => {
                scratch.clear();
                apply(first.as_ref(), doc, scratch)?;
                for (i, mapper) in rest.iter().enumerate() {
                    out.clear();
                    let input = DocRef {
                        archive: doc.archive,
                        name: doc.name,
                        data: scratch,
                    };
                    apply(mapper.as_ref(), &input, out)?;
                    if i + 1 < rest.len() {
                        std::mem::swap(out, scratch);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Documents stored back to back in one buffer.
#[derive(Default)]
struct Batch {
    seq: u64,
    names: Vec<(String, String)>,
    ends: Vec<usize>,
    data: Vec<u8>,
}

impl Batch {
    fn push(&mut self, archive: &str, name: &str, data: &[u8]) {
        self.names.push((archive.to_string(), name.to_string()));
        self.data.extend_from_slice(data);
        self.ends.push(self.data.len());
    }

    fn docs(&self) -> impl Iterator<Item = DocRef<'_>> {
        self.names.iter().enumerate().map(|(i, (archive, name))| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            DocRef {
                archive,
                name,
                data: &self.data[start..self.ends[i]],
            }
        })
    }

    fn full(&self) -> bool {
        self.names.len() >= BATCH_DOCS || self.data.len() >= BATCH_BYTES
    }
}

/// Maps every document of `input` through `chain` with `processes` threads and gives the
/// results to `sink` in input order. Returns the number of documents.
pub fn map_in_order(
    mut input: Box<dyn DocStream + '_>,
    chain: &Chain,
    processes: usize,
    mut sink: impl FnMut(&DocRef<'_>) -> Result<()>,
) -> Result<u64> {
    if processes <= 1 {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        let mut count = 0;
        while let Some(doc) = input.next_doc()? {
            chain.run(&doc, &mut out, &mut scratch)?;
            sink(&DocRef {
                archive: doc.archive,
                name: doc.name,
                data: &out,
            })?;
            count += 1;
        }
        return Ok(count);
    }
    std::thread::scope(|scope| {
        let (batch_tx, batch_rx) = sync_channel::<Batch>(processes * 2);
        let (result_tx, result_rx) = sync_channel::<Result<Batch>>(processes * 2);
        let batch_rx = Arc::new(Mutex::new(batch_rx));
        let reader_results = result_tx.clone();
        scope.spawn(move || read_batches(&mut input, batch_tx, reader_results));
        for _ in 0..processes {
            let (rx, tx) = (Arc::clone(&batch_rx), result_tx.clone());
            scope.spawn(move || map_batches(chain, &rx, &tx));
        }
        drop(result_tx);
        drop(batch_rx);
        collect_in_order(result_rx, &mut sink)
    })
}

fn read_batches(
    input: &mut Box<dyn DocStream + '_>,
    batches: SyncSender<Batch>,
    results: SyncSender<Result<Batch>>,
) {
    let mut batch = Batch::default();
    let mut seq = 0;
    loop {
        match input.next_doc() {
            Ok(Some(doc)) => {
                batch.push(doc.archive, doc.name, doc.data);
                if !batch.full() {
                    continue;
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = results.send(Err(e));
                return;
            }
        }
        batch.seq = seq;
        seq += 1;
        if batches.send(std::mem::take(&mut batch)).is_err() {
            return;
        }
    }
    if !batch.names.is_empty() {
        batch.seq = seq;
        let _ = batches.send(batch);
    }
}

fn map_batches(
    chain: &Chain,
    batches: &Mutex<Receiver<Batch>>,
    results: &SyncSender<Result<Batch>>,
) {
    let (mut out, mut scratch) = (Vec::new(), Vec::new());
    loop {
        let next = batches
            .lock()
            .map_err(|_| ())
            .and_then(|rx| rx.recv().map_err(|_| ()));
        let Ok(batch) = next else { return };
        let mut mapped = Batch {
            seq: batch.seq,
            names: Vec::with_capacity(batch.names.len()),
            ends: Vec::with_capacity(batch.names.len()),
            data: Vec::with_capacity(batch.data.len()),
        };
        for doc in batch.docs() {
            if let Err(e) = chain.run(&doc, &mut out, &mut scratch) {
                let _ = results.send(Err(e));
                return;
            }
            mapped.push(doc.archive, doc.name, &out);
        }
        if results.send(Ok(mapped)).is_err() {
            return;
        }
    }
}

fn collect_in_order(
    results: Receiver<Result<Batch>>,
    sink: &mut impl FnMut(&DocRef<'_>) -> Result<()>,
) -> Result<u64> {
    let mut pending = BTreeMap::new();
    let (mut next, mut count) = (0u64, 0u64);
    for result in results.iter() {
        let batch = result?;
        pending.insert(batch.seq, batch);
        while let Some(batch) = pending.remove(&next) {
            for doc in batch.docs() {
                sink(&doc)?;
                count += 1;
            }
            next += 1;
        }
    }
    if !pending.is_empty() {
        return Err(Error::msg(
            "document map workers stopped before every batch was processed",
        ));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::OwnedStream;

    struct Upper;

    impl DocMapper for Upper {
        fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
            if doc.data == b"fail" {
                return Err(Error::msg(format!("cannot map {}", doc.name)));
            }
            out.extend(doc.data.iter().map(u8::to_ascii_uppercase));
            Ok(())
        }
    }

    struct Reverse;

    impl DocMapper for Reverse {
        fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
            out.extend(doc.data.iter().rev());
            Ok(())
        }
    }

    fn stream(docs: Vec<Vec<u8>>) -> Box<dyn DocStream> {
        Box::new(OwnedStream::new(docs.into_iter().enumerate().map(
            |(i, d)| Ok((format!("archive-{}", i / 100), format!("doc{i}"), d)),
        )))
    }

    fn corpus(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("doc {i} {}", "x".repeat(i % 5000)).into_bytes())
            .collect()
    }

    fn run(
        docs: Vec<Vec<u8>>,
        chain: &Chain,
        processes: usize,
    ) -> Result<Vec<(String, String, Vec<u8>)>> {
        let mut out = Vec::new();
        map_in_order(stream(docs), chain, processes, |d| {
            out.push((d.archive.to_string(), d.name.to_string(), d.data.to_vec()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn parallel_maps_keep_the_input_order() {
        let chain = Chain(vec![Arc::new(Upper), Arc::new(Reverse)]);
        let docs = corpus(3000);
        let expected: Vec<Vec<u8>> = docs
            .iter()
            .map(|d| d.iter().rev().map(u8::to_ascii_uppercase).collect())
            .collect();
        for processes in [1, 2, 5] {
            let got = run(docs.clone(), &chain, processes).unwrap();
            assert_eq!(got.len(), docs.len());
            for (i, (archive, name, data)) in got.iter().enumerate() {
                assert_eq!(name, &format!("doc{i}"), "order with {processes} processes");
                assert_eq!(archive, &format!("archive-{}", i / 100));
                assert_eq!(data, &expected[i]);
            }
        }
    }

    #[test]
    fn invalid_documents_pass_through_every_map() {
        let invalid = crate::formats::invalid::InvalidDocument::new("m", "boom").to_bytes();
        let chain = Chain(vec![Arc::new(Upper), Arc::new(Reverse)]);
        let got = run(vec![b"ab".to_vec(), invalid.clone()], &chain, 2).unwrap();
        assert_eq!(got[0].2, b"BA");
        assert_eq!(got[1].2, invalid);
    }

    #[test]
    fn a_failing_document_fails_the_map_and_stops_every_thread() {
        let mut docs = corpus(2000);
        docs[1234] = b"fail".to_vec();
        let chain = Chain(vec![Arc::new(Upper)]);
        for processes in [1, 3] {
            let err = run(docs.clone(), &chain, processes).unwrap_err();
            assert_eq!(err.to_string(), "cannot map doc1234");
        }
    }

    #[test]
    fn sink_errors_stop_the_map() {
        let chain = Chain(vec![Arc::new(Upper)]);
        let mut seen = 0;
        let err = map_in_order(stream(corpus(5000)), &chain, 3, |_| {
            seen += 1;
            if seen == 10 {
                Err(Error::msg("disk full"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(seen, 10);
    }
}
