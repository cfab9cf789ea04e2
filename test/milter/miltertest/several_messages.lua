-- Several messages on one connection: each gets its own headers and
-- signature; a foreign X-DSPAM-* field of the first does not affect the
-- second.
dofile(dir .. "/common.lua")
local conn = open()
envelope(conn, "QMANY1", "<a@example.net>", {"<alice@example.com>"})
headers(conn, {{"Subject", "one"}, {"X-DSPAM-Result", "Innocent"}, {"X-Dspam-Signature", "fake"}})
ok(mt.bodystring(conn, "first message\r\n"), "body")
ok(mt.eom(conn), "eom 1")
check(mt.getreply(conn) == SMFIR_CONTINUE, "first continues")
check(mt.eom_check(conn, MT_HDRDELETE, "X-DSPAM-Result"), "foreign X-DSPAM-Result deleted")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Dspam-Signature"), "foreign signature deleted")
local first = mt.getheader(conn, "X-DSPAM-Signature", 0)
check(first ~= nil and first ~= "fake", "first signature added")

envelope(conn, "QMANY2", "<b@example.net>", {"<bob@example.com>"})
headers(conn, {{"Subject", "two"}})
ok(mt.bodystring(conn, "second message\r\n"), "body")
ok(mt.eom(conn), "eom 2")
check(mt.getreply(conn) == SMFIR_CONTINUE, "second continues")
check(not mt.eom_check(conn, MT_HDRDELETE), "no deletion carried over")
local second = mt.getheader(conn, "X-DSPAM-Signature", 0)
check(second ~= nil and second ~= first, "second has its own signature")

envelope(conn, "QMANY3", "<c@example.net>", {"<carol@example.com>"})
headers(conn, {{"Subject", "three"}})
ok(mt.eom(conn), "eom 3")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "third classified")
mt.disconnect(conn)
