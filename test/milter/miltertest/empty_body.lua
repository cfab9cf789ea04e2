-- A message with headers and no body at all is classified like any other.
dofile(dir .. "/common.lua")
local conn = open()
envelope(conn, "QEMPTY", "<a@example.net>", {"<alice@example.com>"})
headers(conn, {{"Subject", "nothing inside"}})
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "continues")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "classified")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Probability"), "probability added")

-- No headers either.
envelope(conn, "QEMPTY2", "<a@example.net>", {"<alice@example.com>"})
ok(mt.eoh(conn), "eoh")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "continues without headers")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "classified without headers")
mt.disconnect(conn)
