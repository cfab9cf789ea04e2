-- A message left with no recipient (its only one refused) is passed on
-- untouched by the classifier; the refusal is a 5.7.1 reply.
dofile(dir .. "/common.lua")
local conn = open()
ok(mt.macro(conn, SMFIC_MAIL, "i", "QNORCPT"), "macro")
ok(mt.mailfrom(conn, "<mallory@example.net>"), "mail from")
ok(mt.rcptto(conn, "<spam-alice@example.com>"), "rcpt to")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "unauthenticated retraining request refused")
headers(conn, {{"Subject", "nobody"}})
ok(mt.bodystring(conn, "body\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "continues")
check(not mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "nothing to classify")
mt.disconnect(conn)
