//! Checked uploads waiting between their two steps (`platform::uploads`):
//! only their owner takes them, once, as the kind they were checked as; a
//! new check replaces the owner's waiting file of that kind.

use crate::common::*;
use vangnet::domain::upload::{Upload, UploadKind, UploadOwner};
use vangnet::platform::uploads::{keep, look, take};

fn owner(session_id: i64) -> UploadOwner {
    UploadOwner {
        user_id: Some(1),
        name: "a@example.org".into(),
        session_id: Some(session_id),
    }
}

#[tokio::test]
async fn a_checked_file_is_taken_once_only_by_its_owner_and_as_its_kind() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let mut file = Upload::file("f.csv", b"naam\nx\n".to_vec());
    file.mapping = vec![("Bezoekers".into(), "visits".into())];
    file.approve = true;
    let id = keep(&store, &owner(1), UploadKind::Reports, &file)
        .await
        .unwrap();
    let taken = |o: UploadOwner, kind, id: String| {
        let store = store.clone();
        async move { take(&store, &o, kind, &id).await.unwrap() }
    };
    assert_eq!(
        taken(owner(2), UploadKind::Reports, id.clone()).await,
        None,
        "another session"
    );
    assert_eq!(
        taken(owner(1), UploadKind::Facilities, id.clone()).await,
        None,
        "another kind"
    );
    assert_eq!(
        taken(owner(1), UploadKind::Reports, "not-the-id".into()).await,
        None
    );
    assert_eq!(
        look(&store, &owner(1), UploadKind::Reports, &id)
            .await
            .unwrap(),
        Some(file.clone()),
        "looking leaves it waiting"
    );
    assert_eq!(
        taken(owner(1), UploadKind::Reports, id.clone()).await,
        Some(file)
    );
    assert_eq!(taken(owner(1), UploadKind::Reports, id).await, None, "once");
}

#[tokio::test]
async fn a_new_check_replaces_the_file_of_its_kind_and_leaves_the_others() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let first = keep(
        &store,
        &owner(7),
        UploadKind::Facilities,
        &Upload::file("a.csv", b"a".to_vec()),
    )
    .await
    .unwrap();
    let errors = keep(
        &store,
        &owner(7),
        UploadKind::FacilityErrors,
        &Upload::file("a.csv", b"e".to_vec()),
    )
    .await
    .unwrap();
    let second = keep(
        &store,
        &owner(7),
        UploadKind::Facilities,
        &Upload::file("b.csv", b"b".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(
        take(&store, &owner(7), UploadKind::Facilities, &first)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        take(&store, &owner(7), UploadKind::Facilities, &second)
            .await
            .unwrap()
            .map(|u| u.bytes),
        Some(b"b".to_vec())
    );
    assert!(look(&store, &owner(7), UploadKind::FacilityErrors, &errors)
        .await
        .unwrap()
        .is_some());
}
