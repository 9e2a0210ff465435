//! Table definitions shared by both backends.
//!
//! Timestamps are `Timestamp` columns that hold UTC, because diesel maps that
//! SQL type on SQLite and PostgreSQL alike. JSON documents are stored as text.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        name -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    customers (id) {
        id -> BigInt,
        user_id -> BigInt,
        email -> Text,
        name -> Text,
        company -> Nullable<Text>,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        city -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        user_id -> BigInt,
        sku -> Text,
        name -> Text,
        description -> Nullable<Text>,
        price_minor -> BigInt,
        currency -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        user_id -> BigInt,
        order_number -> Text,
        customer_id -> BigInt,
        status -> Text,
        currency -> Text,
        subtotal_minor -> BigInt,
        tax_minor -> BigInt,
        total_minor -> BigInt,
        placed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_items (id) {
        id -> BigInt,
        user_id -> BigInt,
        order_id -> BigInt,
        line_number -> Integer,
        product_sku -> Text,
        description -> Text,
        quantity -> Integer,
        unit_price_minor -> BigInt,
        total_minor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        user_id -> BigInt,
        order_id -> BigInt,
        method -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        reference -> Text,
        paid_at -> Timestamp,
    }
}

diesel::table! {
    activity_log (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        user_id -> BigInt,
        kind -> Text,
        status -> Text,
        dataset -> Text,
        format -> Text,
        params -> Text,
        dedup_key -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        progress_current -> BigInt,
        progress_total -> Nullable<BigInt>,
        progress_version -> BigInt,
        rate_window -> Text,
        checkpoint -> Nullable<Text>,
        result -> Nullable<Text>,
        error -> Nullable<Text>,
        attempts -> Integer,
        max_attempts -> Integer,
        lease_owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        cancel_requested_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(jobs -> users (user_id));

diesel::table! {
    uploads (id) {
        id -> BigInt,
        user_id -> BigInt,
        upload_key -> Text,
        storage_key -> Text,
        filename -> Text,
        content_type -> Text,
        declared_size -> BigInt,
        size -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        uploaded_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    import_errors (id) {
        id -> BigInt,
        job_id -> Text,
        row_number -> BigInt,
        field -> Text,
        value -> Text,
        message -> Text,
    }
}

diesel::table! {
    import_failed_rows (id) {
        id -> BigInt,
        job_id -> Text,
        row_number -> BigInt,
        message -> Text,
        values_json -> Text,
    }
}

diesel::joinable!(uploads -> users (user_id));
diesel::joinable!(import_errors -> jobs (job_id));
diesel::joinable!(import_failed_rows -> jobs (job_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    api_tokens,
    customers,
    products,
    orders,
    order_items,
    payments,
    activity_log,
    jobs,
    uploads,
    import_errors,
    import_failed_rows,
);
