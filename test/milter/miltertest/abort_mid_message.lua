-- A message aborted after its headers leaves nothing behind: the next
-- message on the connection is judged on its own, and the X-DSPAM-* field of
-- the aborted one is not deleted from it.
dofile(dir .. "/common.lua")
local conn = open()
envelope(conn, "QABORT1", "<a@example.net>", {"<alice@example.com>"})
headers(conn, {{"Subject", "first"}, {"X-DSPAM-Result", "Innocent"}})
ok(mt.bodystring(conn, "half a body\r\n"), "body")
ok(mt.abort(conn), "abort")

envelope(conn, "QABORT2", "<b@example.net>", {"<bob@example.com>"})
headers(conn, {{"Subject", "second"}})
ok(mt.bodystring(conn, "a whole body\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "second message continues")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "second message is classified")
check(not mt.eom_check(conn, MT_HDRDELETE), "nothing of the aborted message is deleted")
mt.disconnect(conn)
