//! Protocol errors. They name what failed without echoing any content.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("the record's signature does not verify")]
    BadSignature,
    #[error(
        "the record does not open with this document key (wrong document, device, position, kind or epoch, or altered)"
    )]
    CannotOpen,
    #[error("the message cannot be decoded: {0}")]
    Decode(String),
    #[error("the message is larger than {0} bytes")]
    TooLarge(usize),
    #[error("a key has the wrong length or form")]
    BadKey,
}
