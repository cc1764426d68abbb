//! `cargo xtask cluster [--demo]`: Xin as a service of many machines, on this one. PostgreSQL
//! (the truth), NATS (between the nodes), SeaweedFS (files, over S3), two `xin-server` nodes
//! and haproxy in front of them; the desktop app connects through haproxy, as a client of a
//! real deployment would. The end-to-end tests run a cluster test against the same set-up.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use crate::{
    nats::Nats,
    postgres::Postgres,
    process::{free_port, run, wait_for_port, Background, Result},
    root,
    seaweedfs::{self, SeaweedFs},
    setup,
};

/// One server node of the cluster.
pub struct Node {
    pub name: &'static str,
    /// `http://127.0.0.1:PORT`, the node itself (not through haproxy).
    pub url: String,
    process: Option<Background>,
}

impl Node {
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Background::id)
    }
}

/// How a cluster is started.
#[derive(Default)]
pub struct Shape {
    /// PostgreSQL flushes every commit, as in production (off for tests: faster, same behaviour).
    pub durable: bool,
    /// The nodes may deliver webhooks to this machine (the demo's mini-program backend).
    pub webhooks_on_loopback: bool,
    /// haproxy starts with node b disabled, so every client lands on node a until a test
    /// enables b through the admin socket.
    pub hold_back_b: bool,
    /// The nodes run the release build (for figures), not the debug one.
    pub release: bool,
    /// Limits for a load generator signing up thousands of people from one address.
    pub unlimited: bool,
}

pub struct Cluster {
    /// `http://127.0.0.1:PORT`: haproxy, the address every client uses.
    pub url: String,
    /// haproxy's admin socket (`enable server nodes/b`, `show stat`).
    pub admin: PathBuf,
    pub nodes: Vec<Node>,
    dir: PathBuf,
    // Dropped in this order: the balancer, the nodes (above), then what they stand on.
    haproxy: Background,
    _s3: SeaweedFs,
    nats: Nats,
    postgres: Postgres,
}

impl Cluster {
    /// Starts everything, named for `purpose`.
    pub fn start(purpose: &str, shape: Shape) -> Result<Self> {
        let root = root();
        let postgres = if shape.durable {
            Postgres::durable(purpose)?
        } else {
            Postgres::for_tests(purpose)?
        };
        let nats = Nats::start()?;
        let s3 = SeaweedFs::start(purpose)?;
        let dir =
            std::env::temp_dir().join(format!("xin-cluster-{purpose}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let balancer = free_port()?;
        let url = format!("http://127.0.0.1:{balancer}");
        let mut nodes = Vec::new();
        for name in ["a", "b"] {
            let port = free_port()?;
            let data = dir.join(format!("node-{name}"));
            let build = if shape.release { "release" } else { "debug" };
            let mut cmd = Command::new(root.join("target").join(build).join("xin-server"));
            cmd.arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--data-dir")
                .arg(&data)
                .args(["--database-url", &postgres.url])
                .args(["--broker", &nats.url])
                .args(["--blobs", &s3.blobs_url("cluster")])
                .args(["--public-url", &url])
                .args(["--trusted-proxies", "127.0.0.1"])
                .arg("--companion-dir")
                .arg(root.join("ui/dist/mobile"))
                .env("AWS_ACCESS_KEY_ID", seaweedfs::ACCESS_KEY)
                .env("AWS_SECRET_ACCESS_KEY", seaweedfs::SECRET_KEY)
                .env(
                    "RUST_LOG",
                    std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
                );
            if shape.unlimited {
                cmd.args(["--attempts-per-minute", "1000000"])
                    .args(["--signups-per-hour", "1000000"])
                    .args(["--lookups-per-hour", "1000000"]);
            }
            if shape.webhooks_on_loopback {
                cmd.arg("--webhook-private-hosts");
            }
            let mut process = Background::spawn(&format!("xin-server ({name})"), &mut cmd)?;
            let addr = format!("127.0.0.1:{port}");
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while std::net::TcpStream::connect(&addr).is_err() {
                if process.has_exited() {
                    return Err(format!(
                        "node {name} stopped at start (its reason is above)"
                    ));
                }
                if std::time::Instant::now() > deadline {
                    return Err(format!("node {name} is not listening after 60 s"));
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            nodes.push(Node {
                name,
                url: format!("http://127.0.0.1:{port}"),
                process: Some(process),
            });
        }
        let config = dir.join("haproxy.cfg");
        let admin = dir.join("haproxy.sock");
        let held = shape.hold_back_b.then_some("b");
        std::fs::write(&config, haproxy_config(balancer, &admin, &nodes, held))
            .map_err(|e| format!("{}: {e}", config.display()))?;
        run(Command::new("haproxy")
            .arg("-c")
            .arg("-q")
            .arg("-f")
            .arg(&config))?;
        let haproxy = Background::spawn(
            "haproxy",
            Command::new("haproxy").arg("-db").arg("-f").arg(&config),
        )?;
        wait_for_port(&format!("127.0.0.1:{balancer}"), 10)?;
        println!("xtask: haproxy on {url} in front of nodes {}", {
            let urls: Vec<&str> = nodes.iter().map(|n| n.url.as_str()).collect();
            urls.join(", ")
        });
        Ok(Self {
            url,
            admin,
            nodes,
            dir,
            haproxy,
            _s3: s3,
            nats,
            postgres,
        })
    }

    /// `name=pid` of each engine under the nodes, for `xin-load --watch`.
    pub fn engines(&self) -> Vec<String> {
        let mut out = vec![format!("nats={}", self.nats.pid())];
        if let Some(pg) = self.postgres.pid() {
            out.insert(0, format!("postgres={pg}"));
        }
        out.push(format!("haproxy={}", self.haproxy.id()));
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            drop(node.process.take());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Round robin over the nodes that answer `/ready`; a resumable upload's requests (its id is in
/// the path) always to the same node while it is up, since its bytes are staged on that node's
/// disk; sockets held open for an hour; the client's address passed on in `X-Forwarded-For`.
fn haproxy_config(port: u16, admin: &Path, nodes: &[Node], held: Option<&str>) -> String {
    let servers: String = nodes
        .iter()
        .map(|n| {
            let disabled = if held == Some(n.name) {
                " disabled"
            } else {
                ""
            };
            format!(
                "  server {} {} check{disabled}\n",
                n.name,
                n.url.trim_start_matches("http://")
            )
        })
        .collect();
    let backend = |name: &str, balance: &str| {
        format!(
            "backend {name}\n  balance {balance}\n  option httpchk GET /api/v1/ready\n  \
             default-server inter 1s fall 2 rise 2\n{servers}\n"
        )
    };
    format!(
        "global\n  maxconn 4096\n  stats socket {} mode 600 level admin\n\n\
         defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n  \
         timeout tunnel 1h\n  option forwardfor\n  option redispatch\n  retries 3\n\n\
         frontend xin\n  bind 127.0.0.1:{port}\n  acl upload path_beg /api/v1/uploads/\n  \
         use_backend uploads if upload\n  default_backend nodes\n\n{}{}",
        admin.display(),
        backend("nodes", "roundrobin"),
        backend("uploads", "uri\n  hash-type consistent"),
    )
}

pub fn cluster(args: &[String]) -> Result<ExitCode> {
    let mut demo = false;
    for a in args {
        match a.as_str() {
            "--demo" => demo = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    crate::process::outlive_ctrl_c();
    setup::install_cluster_packages()?;
    setup::prepare(false)?;
    seaweedfs::install()?;
    let cluster = Cluster::start(
        "cluster",
        Shape {
            durable: true,
            webhooks_on_loopback: demo,
            ..Shape::default()
        },
    )?;
    println!("\n  Xin, two nodes behind haproxy: {}", cluster.url);
    for node in &cluster.nodes {
        println!(
            "    node {}: {} (pid {:?})",
            node.name,
            node.url,
            node.pid()
        );
    }
    println!("  Phone companion:  {}/m/\n", cluster.url);
    let bin: &Path = &root().join("target/debug");
    let _coffee = if demo {
        Some(crate::run::seed_demo(bin, &cluster.url)?)
    } else {
        None
    };
    let mut desktop = Command::new(bin.join("xin"));
    desktop.args(["--server", &cluster.url]);
    if demo {
        desktop.env("XIN_DEVELOPER", "1");
    }
    let mut desktop = Background::spawn_foreground("xin", &mut desktop)?;
    let status = desktop.wait()?;
    println!("xtask: the desktop app exited ({status}); stopping the cluster.");
    Ok(ExitCode::SUCCESS)
}
