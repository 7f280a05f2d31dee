//! Sign a PDF with a key on a PKCS#11 token, invisibly (PAdES B-B), from the command line:
//!
//! ```text
//! PIN=… cargo run -p vanthu-sign --bin vanthu-sign-file -- MODULE TOKEN_LABEL KEY_LABEL FIELD IN.pdf OUT.pdf
//! ```
//!
//! The smallest use of `vanthu-sign` without the register, for developers (the application signs
//! through `vanthu sign`). The crate's tests use it as their signer: the token's module reads
//! `SOFTHSM2_CONF` once per process, so each test PKI signs in a process of its own.

use std::process::ExitCode;

use vanthu_sign::pades::{self, Layout};
use vanthu_sign::token::{RsaScheme, Token, TokenConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_program, module, token, key, field, input, output] = args.as_slice() else {
        eprintln!("usage: vanthu-sign-file MODULE TOKEN_LABEL KEY_LABEL FIELD IN.pdf OUT.pdf (PIN in $PIN)");
        return ExitCode::from(2);
    };
    match sign(module, token, key, field, input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn sign(module: &str, token: &str, key: &str, field: &str, input: &str, output: &str) -> Result<(), String> {
    let pin = std::env::var("PIN").map_err(|_| "PIN is not set".to_string())?;
    let config = TokenConfig { module: module.into(), token_label: token.into(), key_label: Some(key.into()) };
    let token = Token::open(&config).map_err(|e| e.to_string())?;
    let session = token.login(&pin, RsaScheme::Pkcs1v15).map_err(|e| e.to_string())?;
    let pdf = std::fs::read(input).map_err(|e| e.to_string())?;
    let layout = Layout { field_name: field.into(), reason: Some("Kiểm thử".into()), ..Layout::default() };
    let signed =
        pades::sign_pdf(&pdf, &session, &layout, time::OffsetDateTime::now_utc(), None).map_err(|e| e.to_string())?;
    std::fs::write(output, [&pdf[..], &signed.revision].concat()).map_err(|e| e.to_string())
}
