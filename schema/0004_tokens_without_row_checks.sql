-- dspamd schema, migration 0004: the token table without a per-row foreign
-- key. The key's check ran once for every row a write-back inserts (a lookup
-- and a lock of the user's row each time), about a quarter of the cost of
-- learning. dspamd now locks the user's row once per write-back transaction
-- instead (PgStore::apply_batch), and this trigger keeps what ON DELETE
-- CASCADE did: deleting a user deletes its tokens. See schema/README.md.
ALTER TABLE tokens DROP CONSTRAINT tokens_user_id_fkey;

CREATE FUNCTION delete_user_tokens() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tokens WHERE user_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER users_delete_tokens AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION delete_user_tokens();
