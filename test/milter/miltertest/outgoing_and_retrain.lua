-- Mail from a trusted network is accepted untouched; a retraining request
-- from there for the sender's own user is discarded; one for another user
-- is refused; mixing a retraining address with others is deferred.
dofile(dir .. "/common.lua")
local conn = open("127.0.0.1")
envelope(conn, "QOUT", "<alice@example.com>", {"<someone@example.org>"})
headers(conn, {{"Subject", "outgoing"}})
ok(mt.bodystring(conn, "hello\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_ACCEPT, "outgoing accepted untouched")
check(not mt.eom_check(conn, MT_HDRADD), "no header added")

envelope(conn, "QRETRAIN", "<alice@example.com>", {"<spam@example.com>"})
headers(conn, {{"Subject", "Fwd: spam"}, {"X-DSPAM-Signature", "0123456789abcdef"}})
ok(mt.bodystring(conn, "this was spam\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_DISCARD, "retraining request discarded")

ok(mt.macro(conn, SMFIC_MAIL, "i", "QOTHER"), "macro")
ok(mt.mailfrom(conn, "<alice@example.com>"), "mail from")
ok(mt.rcptto(conn, "<notspam-bob@example.com>"), "rcpt to")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "another user's retraining refused")
ok(mt.rcptto(conn, "<someone@example.org>"), "rcpt to")
check(mt.getreply(conn) == SMFIR_CONTINUE, "a normal recipient is fine")
ok(mt.rcptto(conn, "<spam@example.com>"), "rcpt to")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "a retraining address beside it is deferred")
ok(mt.abort(conn), "abort")
mt.disconnect(conn)
