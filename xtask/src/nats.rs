//! A NATS server of the project's own (Debian's `nats-server`), on a free loopback port,
//! stopped when dropped: the broker between the server nodes of the tests and of
//! `cargo xtask cluster`.

use std::process::Command;

use crate::process::{free_port, wait_for_port, Background, Result};

pub struct Nats {
    /// `nats://127.0.0.1:PORT`
    pub url: String,
    process: Background,
}

impl Nats {
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    pub fn start() -> Result<Self> {
        let port = free_port()?;
        let process = Background::spawn(
            "nats-server",
            Command::new("nats-server").args(["-a", "127.0.0.1", "-p", &port.to_string()]),
        )?;
        wait_for_port(&format!("127.0.0.1:{port}"), 10)?;
        println!("xtask: NATS on 127.0.0.1:{port}");
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            process,
        })
    }
}
