-- dspamd schema, migration 0001: users, token counts, totals, signatures,
-- preferences and the dspam_stats view. Applied once by storage/migrate.cpp
-- (recorded in schema_migrations); see schema/README.md for what each column
-- means to someone reading the data with psql.

-- Users ("virtual users" in DSPAM's terms) are created on first use. A user
-- may name a merged group: another user whose counts and totals are added to
-- the user's own at read time (one level only; a group's own group is ignored).
CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 256),
    merge_group_id bigint REFERENCES users (id) ON DELETE SET NULL,
    created        timestamptz NOT NULL DEFAULT now(),
    CHECK (merge_group_id IS NULL OR merge_group_id <> id)
);
CREATE INDEX users_merge_group_idx ON users (merge_group_id) WHERE merge_group_id IS NOT NULL;

-- One row per (user, token hash): how often the token was learned in each
-- class. token is the unsigned 64-bit hash bit-cast to bigint (it may be
-- negative). last_hit is the day the row was last learned; the purge uses it.
CREATE TABLE tokens (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token         bigint NOT NULL,
    spam_hits     bigint NOT NULL DEFAULT 0,
    innocent_hits bigint NOT NULL DEFAULT 0,
    last_hit      date NOT NULL DEFAULT current_date,
    PRIMARY KEY (user_id, token)
);
-- Counts take most updates: leave room on each page so that updates stay HOT.
ALTER TABLE tokens SET (fillfactor = 90);

-- DSPAM's per-user totals (struct _ds_spam_totals).
CREATE TABLE totals (
    user_id                bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    spam_learned           bigint NOT NULL DEFAULT 0 CHECK (spam_learned >= 0),
    innocent_learned       bigint NOT NULL DEFAULT 0 CHECK (innocent_learned >= 0),
    spam_misclassified     bigint NOT NULL DEFAULT 0 CHECK (spam_misclassified >= 0),
    innocent_misclassified bigint NOT NULL DEFAULT 0 CHECK (innocent_misclassified >= 0),
    spam_corpusfed         bigint NOT NULL DEFAULT 0 CHECK (spam_corpusfed >= 0),
    innocent_corpusfed     bigint NOT NULL DEFAULT 0 CHECK (innocent_corpusfed >= 0),
    spam_classified        bigint NOT NULL DEFAULT 0 CHECK (spam_classified >= 0),
    innocent_classified    bigint NOT NULL DEFAULT 0 CHECK (innocent_classified >= 0)
);

-- What a classification learned, so that a later correction can undo it.
-- data is encode_signature() (classifier/training.h): versioned, sorted tokens
-- as varint deltas. created is when the message was classified.
CREATE TABLE signatures (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id      text NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
    created timestamptz NOT NULL DEFAULT now(),
    data    bytea NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX signatures_created_idx ON signatures (created);

-- Per-user preferences (DSPAM's preference table).
CREATE TABLE preferences (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value   text NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- DSPAM's dspam_stats, one row per user, from the user's own totals (a merged
-- group's totals are not added: they are the group's statistics). Formulas of
-- DSPAM's src/tools/dspam_stats.c:
--   TP = max(0, spam_learned + spam_classified - spam_misclassified - spam_corpusfed)
--   TN = max(0, innocent_learned + innocent_classified - innocent_misclassified - innocent_corpusfed)
--   FP = innocent_misclassified, FN = spam_misclassified
--   accuracy (OCA) = 100 - (FP + FN) / (TP + TN + FP + FN) * 100, and 100 when there is nothing
CREATE VIEW user_stats AS
WITH t AS (
    SELECT u.id AS user_id,
           u.name AS user_name,
           coalesce(t.spam_learned, 0) AS spam_learned,
           coalesce(t.innocent_learned, 0) AS innocent_learned,
           coalesce(t.spam_misclassified, 0) AS spam_misclassified,
           coalesce(t.innocent_misclassified, 0) AS innocent_misclassified,
           coalesce(t.spam_corpusfed, 0) AS spam_corpusfed,
           coalesce(t.innocent_corpusfed, 0) AS innocent_corpusfed,
           coalesce(t.spam_classified, 0) AS spam_classified,
           coalesce(t.innocent_classified, 0) AS innocent_classified
    FROM users u
    LEFT JOIN totals t ON t.user_id = u.id
), c AS (
    SELECT t.*,
           greatest(0, spam_learned + spam_classified
                       - spam_misclassified - spam_corpusfed) AS true_positives,
           greatest(0, innocent_learned + innocent_classified
                       - innocent_misclassified - innocent_corpusfed) AS true_negatives,
           innocent_misclassified AS false_positives,
           spam_misclassified AS false_negatives
    FROM t
)
SELECT c.*,
       CASE WHEN true_positives + true_negatives + false_positives + false_negatives = 0
            THEN 100.0::double precision
            ELSE 100.0::double precision
                 - (false_positives + false_negatives)::double precision * 100.0
                   / (true_positives + true_negatives + false_positives + false_negatives)
       END AS accuracy
FROM c;
