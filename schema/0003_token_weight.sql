-- dspamd schema, migration 0003: a logistic-regression weight per token row,
-- the learner of the fisher-logistic algorithm (classifier/logistic.h).
-- Fixed point in units of 2^-32, so that learning and a correction's undo add
-- and subtract exactly. Not clamped: a plain sum, merged groups add it. A row
-- with no hits and weight 0 is empty and may be deleted. See schema/README.md.
-- A constant default: PostgreSQL adds the column without rewriting the table.
ALTER TABLE tokens ADD COLUMN weight bigint NOT NULL DEFAULT 0;
