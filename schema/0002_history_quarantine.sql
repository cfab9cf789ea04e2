-- dspamd schema, migration 0002: the per-user history of processed messages
-- (DSPAM's history log) and the quarantine of messages held in Postfix's hold
-- queue. Written by the milter (storage/sql.cpp); read by dspamctl and the
-- web UI. See schema/README.md.

-- One row per message processed for a user, and per retraining request.
-- Purged after history.expire_days.
CREATE TABLE history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created     timestamptz NOT NULL DEFAULT now(),
    result      text NOT NULL CHECK (result IN ('Spam', 'Innocent', 'Whitelisted', 'Virus')),
    action      text NOT NULL
                CHECK (action IN ('deliver', 'tag', 'quarantine', 'reject', 'retrain')),
    sender      text NOT NULL CHECK (length(sender) <= 512),
    subject     text NOT NULL CHECK (length(subject) <= 512),
    probability double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    signature   text CHECK (length(signature) BETWEEN 1 AND 128),
    queue_id    text NOT NULL CHECK (length(queue_id) <= 64),
    host        text NOT NULL CHECK (length(host) <= 256)
);
-- A user's latest messages first (the web UI, dspamctl history) ...
CREATE INDEX history_user_created_idx ON history (user_id, created DESC);
-- ... and the expiry, which deletes by age across all users.
CREATE INDEX history_created_idx ON history (created);

-- A message put on hold (smfi_quarantine) for a user: one row per user whose
-- action was quarantine, all with the same queue_id and host (the hold is per
-- message). The message column keeps the first quarantine_copy_bytes of the
-- message for preview; the message itself stays in Postfix's hold queue.
CREATE TABLE quarantine (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created      timestamptz NOT NULL DEFAULT now(),
    queue_id     text NOT NULL CHECK (length(queue_id) BETWEEN 1 AND 64),
    host         text NOT NULL CHECK (length(host) <= 256),
    sender       text NOT NULL CHECK (length(sender) <= 512),
    recipients   text[] NOT NULL,
    subject      text NOT NULL CHECK (length(subject) <= 512),
    probability  double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    signature    text CHECK (length(signature) BETWEEN 1 AND 128),
    message      bytea NOT NULL,
    message_size bigint NOT NULL CHECK (message_size >= 0),
    released     boolean NOT NULL DEFAULT false,
    released_at  timestamptz,
    CHECK (released = (released_at IS NOT NULL))
);
CREATE INDEX quarantine_user_created_idx ON quarantine (user_id, created DESC);
-- A false-positive report finds the held message by its signature.
CREATE INDEX quarantine_user_signature_idx ON quarantine (user_id, signature)
    WHERE signature IS NOT NULL;
CREATE INDEX quarantine_queue_idx ON quarantine (queue_id, host);
