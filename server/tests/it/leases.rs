//! Upload locks are leases in the database: one writer per upload across every instance serving
//! one Ferry, freed when their holder lets go, and taken over once a crashed holder's lease expires,
//! or at once by the process restarted on the crashed one's data dir.

use std::time::Duration;

use chrono::Utc;
use ferry_server::{db::entities::leases, instance::InstanceId, services::uploads::UploadLocks};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::{
    common::{Engine, TestApp},
    on_both_databases,
};

/// Tries `locks` until it gets the upload's lock (its release runs in the background).
async fn eventually(locks: &UploadLocks, upload: &str) -> bool {
    for _ in 0..100 {
        if locks
            .upload(upload)
            .await
            .expect("the database answers")
            .is_some()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

on_both_databases!(
    one_writer_per_upload_across_instances,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let here = app.state.upload_locks.clone();
        // Another instance, same database.
        let there = UploadLocks::new(app.state.db.clone(), InstanceId::random());

        let held = here.upload("u1").await.unwrap().expect("free at first");
        assert!(
            there.upload("u1").await.unwrap().is_none(),
            "another instance is refused while it is held"
        );
        assert!(
            here.upload("u1").await.unwrap().is_none(),
            "so is a second request here"
        );
        assert!(
            there.upload("u2").await.unwrap().is_some(),
            "other uploads are independent"
        );
        drop(held);
        assert!(eventually(&there, "u1").await, "released when dropped");
    }
);

on_both_databases!(
    a_lock_let_go_here_is_taken_again_at_once,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let locks = app.state.upload_locks.clone();
        for _ in 0..5 {
            // The previous guard's lease row may still be there: this process may take it over.
            let guard = locks.upload("again").await.unwrap();
            assert!(
                guard.is_some(),
                "the next PATCH of the same client is not refused"
            );
        }
    }
);

on_both_databases!(
    a_crashed_instances_lease_is_taken_over_once_expired,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let lease = |expires_in: chrono::Duration| leases::ActiveModel {
            name: Set("upload:gone".into()),
            holder: Set("crashed-instance:1".into()),
            expires_at: Set(Utc::now() + expires_in),
        };
        lease(chrono::Duration::seconds(30))
            .insert(&app.state.db)
            .await
            .unwrap();
        assert!(
            app.state
                .upload_locks
                .upload("gone")
                .await
                .unwrap()
                .is_none(),
            "a live lease of another instance is respected"
        );
        leases::Entity::delete_by_id("upload:gone")
            .exec(&app.state.db)
            .await
            .unwrap();
        lease(chrono::Duration::seconds(-1))
            .insert(&app.state.db)
            .await
            .unwrap();
        assert!(
            app.state
                .upload_locks
                .upload("gone")
                .await
                .unwrap()
                .is_some(),
            "an expired one is taken over"
        );
    }
);

/// A lease `instance` holds on `upload:<upload>`, 30 s from expiring, as a process leaves it when it
/// is killed while writing the upload.
async fn left_by(instance: &InstanceId, upload: &str, app: &TestApp) {
    leases::ActiveModel {
        name: Set(format!("upload:{upload}")),
        holder: Set(format!("{}:1", instance.as_str())),
        expires_at: Set(Utc::now() + chrono::Duration::seconds(30)),
    }
    .insert(&app.state.db)
    .await
    .expect("the database answers");
}

on_both_databases!(
    a_restarted_instance_takes_its_predecessors_leases_over_at_once,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let data_dir = tempfile::tempdir().unwrap();
        let crashed = InstanceId::claim(data_dir.path());
        left_by(&crashed, "left", &app).await;
        drop(crashed); // the process dies: the kernel drops its lock on the data dir's id
        let restarted = UploadLocks::new(app.state.db.clone(), InstanceId::claim(data_dir.path()));
        assert!(
            restarted.upload("left").await.unwrap().is_some(),
            "the same instance again: its predecessor's lease is taken over at once"
        );
    }
);

on_both_databases!(
    a_second_process_on_a_data_dir_in_use_is_another_instance,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let running = app.state.upload_locks.upload("busy").await.unwrap();
        assert!(running.is_some(), "free at first");
        // Opened while the app's state owns its data dir's id.
        let second = UploadLocks::new(app.state.db.clone(), InstanceId::claim(app.dir.path()));
        assert!(
            second.upload("busy").await.unwrap().is_none(),
            "the lease of the live process is not taken over"
        );
        left_by(&InstanceId::claim(app.dir.path()), "other", &app).await;
        assert!(
            app.state
                .upload_locks
                .upload("other")
                .await
                .unwrap()
                .is_none(),
            "nor is the second's taken over by the first"
        );
    }
);
