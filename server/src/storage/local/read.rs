//! Reading an object off the async threads: each read is one `pread` on the blocking pool, straight
//! into a buffer of its own (no intermediate copy), and a task keeps [`READ_AHEAD`] buffers read
//! ahead of the consumer, so the disk or page cache is read while the socket is written. The task
//! holds no thread while it waits for the consumer: a slow client never parks a blocking thread.
//! The queue bounds what a download holds to about [`READ_AHEAD`] + 1 buffers.

use std::{fs::File, io, sync::Arc};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::storage::ByteStream;

/// Bytes per read.
const READ_SIZE: usize = 512 << 10;
/// Buffers read ahead of the consumer.
const READ_AHEAD: usize = 2;

/// Exactly `len` bytes of `file` from `offset`. A file shorter than that ends the stream with an
/// `UnexpectedEof` error after what it had; dropping the stream stops the reading at its next buffer.
pub(super) fn stream(file: File, offset: u64, len: u64) -> ByteStream {
    let (sender, receiver) = mpsc::channel(READ_AHEAD);
    tokio::spawn(read_all(Arc::new(file), offset, len, sender));
    Box::pin(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ))
}

async fn read_all(
    file: Arc<File>,
    mut offset: u64,
    len: u64,
    sender: mpsc::Sender<io::Result<Bytes>>,
) {
    let mut left = len;
    while left > 0 {
        // Room in the queue first: nothing is read for a consumer that is gone or far behind.
        let Ok(slot) = sender.reserve().await else {
            return;
        };
        let want = usize::try_from(left).map_or(READ_SIZE, |left| left.min(READ_SIZE));
        let reading = Arc::clone(&file);
        let item = tokio::task::spawn_blocking(move || read_exactly(&reading, offset, want))
            .await
            .unwrap_or_else(|joined| Err(io::Error::other(joined)))
            .map(Bytes::from);
        let failed = item.is_err();
        slot.send(item);
        if failed {
            return;
        }
        offset += want as u64;
        left -= want as u64;
    }
}

/// `want` bytes from `offset` in a buffer of their own.
fn read_exactly(file: &File, offset: u64, want: usize) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::with_capacity(want);
    while buffer.len() < want {
        let at = offset + buffer.len() as u64;
        let read = rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buffer), at)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the object ended at byte {at}, before the {want} bytes asked from {offset}"
                ),
            ));
        }
    }
    // The spare capacity may exceed `want`: bytes past it were not asked for.
    buffer.truncate(want);
    Ok(buffer)
}
