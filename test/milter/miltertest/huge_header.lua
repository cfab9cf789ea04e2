-- A header block past milter.max_header_bytes (16384 in the test
-- configuration) makes the message oversize: accepted untagged, but a
-- foreign X-DSPAM-* field is still deleted. The next message is normal.
-- (miltertest cannot send one field longer than about 4 KB, so the block
-- is made of many long folded fields, as a huge Received chain would be.)
dofile(dir .. "/common.lua")
local conn = open()
envelope(conn, "QHUGE", "<a@example.net>", {"<alice@example.com>"})
local fields = {{"X-DSPAM-Result", "Innocent"}, {"Subject", "big"}}
for i = 1, 40 do
  table.insert(fields, {"X-Filler-" .. i, string.rep("x", 500) .. "\n\t" .. string.rep("y", 400)})
end
table.insert(fields, {"X-DSPAM-Result", "Innocent"})
headers(conn, fields)
ok(mt.bodystring(conn, "body\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "oversize is accepted")
check(not mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "oversize is not tagged")
check(mt.eom_check(conn, MT_HDRDELETE, "X-DSPAM-Result"), "foreign header deleted anyway")

envelope(conn, "QAFTERHUGE", "<a@example.net>", {"<alice@example.com>"})
headers(conn, {{"Subject", "small"}})
ok(mt.bodystring(conn, "body\r\n"), "body")
ok(mt.eom(conn), "eom")
check(mt.eom_check(conn, MT_HDRADD, "X-DSPAM-Result"), "the next message is tagged")
mt.disconnect(conn)
