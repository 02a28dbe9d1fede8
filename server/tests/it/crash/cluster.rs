//! Two `ferry serve` processes of one Ferry, as behind a load balancer: one PostgreSQL database (a
//! fresh, uniquely named one, dropped at the end), one S3 bucket (moto) and one token secret, each
//! with its own data dir and addresses.

use std::{net::SocketAddr, path::PathBuf};

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::Child;

use crate::{
    common::{Engine, TestDb, s3::TestBucket},
    crash::http::{Answer, api, call, get},
    crash::process::{ADMIN_PASSWORD, free_addr, start_with},
    crash::support::sign_in,
};

/// The token secret both instances share (it signs transfer tokens).
const TOKEN_SECRET: &str = "a-token-secret-every-instance-of-this-ferry-shares";
/// The recipient the tests send to.
pub const BOB: &str = "bob";
pub const BOB_PASSWORD: &str = "bob-password-1";

/// One `ferry serve` of the cluster: where it listens, and its process while it runs.
pub struct Instance {
    pub web: SocketAddr,
    pub gateway: SocketAddr,
    data: PathBuf,
    process: Option<Child>,
}

/// Two instances on one database and one bucket. Fields drop in order: the processes end before
/// the database is dropped.
pub struct Cluster {
    pub instances: [Instance; 2],
    pub bucket: TestBucket,
    pub db: TestDb,
    _dir: TempDir,
}

impl Cluster {
    /// Creates the database and the bucket and starts both instances, one after the other (the
    /// first migrates the database and creates the admin).
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::create(Engine::Postgres, &dir).await;
        let bucket = TestBucket::create().await;
        let instance = |name: &str| Instance {
            web: free_addr(),
            gateway: free_addr(),
            data: dir.path().join(name),
            process: None,
        };
        let mut cluster = Self {
            instances: [instance("one"), instance("two")],
            bucket,
            db,
            _dir: dir,
        };
        for index in 0..2 {
            let process = cluster.spawn(index).await;
            cluster.instances[index].process = Some(process);
        }
        cluster
    }

    /// The settings every instance shares.
    fn shared_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("FERRY_DATABASE_URL", self.db.url.clone()),
            ("FERRY_TOKEN_SECRET", TOKEN_SECRET.to_owned()),
        ];
        env.extend(s3_env(&self.bucket));
        env
    }

    async fn spawn(&self, index: usize) -> Child {
        let instance = &self.instances[index];
        let env = self.shared_env();
        start_with(&instance.data, instance.web, instance.gateway, None, &env).await
    }

    /// Kills (SIGKILL) both instances.
    pub async fn kill_both(&mut self) {
        for instance in &mut self.instances {
            let mut process = instance.process.take().unwrap();
            process.kill().await.unwrap();
        }
    }

    /// Starts both (stopped) instances at the same time.
    pub async fn start_both_at_once(&mut self) {
        let (one, two) = tokio::join!(self.spawn(0), self.spawn(1));
        self.instances[0].process = Some(one);
        self.instances[1].process = Some(two);
    }

    /// Stops both instances as a service manager does (SIGTERM) and waits until they exited
    /// cleanly: each has finished what it was doing, its housekeeping pass included.
    pub async fn stop_both(&mut self) {
        for instance in &self.instances {
            let pid = instance.process.as_ref().unwrap().id().unwrap();
            let signalled = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await
                .unwrap();
            assert!(signalled.success());
        }
        for instance in &mut self.instances {
            let mut process = instance.process.take().unwrap();
            let exited = tokio::time::timeout(std::time::Duration::from_secs(30), process.wait())
                .await
                .expect("ferry stops on SIGTERM")
                .unwrap();
            assert!(exited.success(), "{exited}");
        }
    }

    /// Signs in as the admin on the first instance and creates the recipient [`BOB`]; the admin's
    /// session cookie.
    pub async fn admin_with_bob(&self) -> String {
        let web = self.instances[0].web;
        let admin = sign_in(web, "admin", ADMIN_PASSWORD).await;
        let user = json!({ "username": BOB, "role": "user", "password": BOB_PASSWORD });
        let created = api(web, "/api/v1/admin/users", Some(&admin), user).await;
        assert_eq!(
            created.status,
            201,
            "{}",
            String::from_utf8_lossy(&created.body)
        );
        admin
    }
}

/// The `ferry` settings that keep files in `bucket`.
pub fn s3_env(bucket: &TestBucket) -> Vec<(&'static str, String)> {
    vec![
        ("FERRY_STORAGE", "s3".to_owned()),
        ("FERRY_S3_ENDPOINT", bucket.endpoint.clone()),
        ("FERRY_S3_BUCKET", bucket.name.clone()),
        ("FERRY_S3_ACCESS_KEY_ID", "testing".to_owned()),
        ("FERRY_S3_SECRET_ACCESS_KEY", "testing".to_owned()),
        ("FERRY_S3_PATH_STYLE", "true".to_owned()),
        ("FERRY_S3_ALLOW_HTTP", "true".to_owned()),
    ]
}

/// A receive token for package `package`, asked of `web` as the holder of `cookie`.
pub async fn receive_token(web: SocketAddr, cookie: &str, package: i64) -> String {
    let path = format!("/api/v1/packages/{package}/transfer_spec/download");
    let spec = api(web, &path, Some(cookie), json!({})).await;
    assert_eq!(spec.status, 200, "{}", String::from_utf8_lossy(&spec.body));
    spec.json()["token"].as_str().unwrap().to_owned()
}

/// GETs file `file` from `gateway` with a receive token, `range` (`bytes=…`) if given.
pub async fn download(gateway: SocketAddr, token: &str, file: i64, range: Option<&str>) -> Answer {
    let mut headers = vec![("Authorization", format!("Bearer {token}"))];
    if let Some(range) = range {
        headers.push(("Range", range.to_owned()));
    }
    call("GET", gateway, &format!("/files/{file}"), &headers, b"").await
}

/// The notifications of the holder of `cookie` of `kind` about `package`, as `web` lists them.
pub async fn notifications(web: SocketAddr, cookie: &str, kind: &str, package: i64) -> Vec<Value> {
    let listed = get(web, "/api/v1/me/notifications?per_page=100", cookie).await;
    assert_eq!(listed.status, 200);
    let page = listed.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["kind"] == kind && item["package_id"] == package)
        .cloned()
        .collect()
}
