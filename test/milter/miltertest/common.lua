-- Helpers shared by the miltertest scripts: connect to the dspamd under
-- test (the socket comes from "-D socket=unix:/path") and fail loudly.
function check(condition, what)
  if not condition then
    error("FAILED: " .. what, 2)
  end
end

function ok(result, what)
  if result ~= nil then
    error("FAILED: " .. what .. ": " .. tostring(result), 2)
  end
end

function open(client_ip)
  local conn = mt.connect(socket, 40, 0.25)
  check(conn ~= nil, "connect to " .. socket)
  ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
  -- Offered every step, dspamd skips HELO (it has no use for it) and asks
  -- for no replies to the content steps, which can only continue.
  check(mt.test_option(conn, SMFIP_NOHELO), "dspamd skips HELO")
  check(mt.test_option(conn, SMFIP_NR_HDR), "no reply to each header")
  check(mt.test_option(conn, SMFIP_NR_EOH), "no reply to end of headers")
  check(mt.test_option(conn, SMFIP_NR_BODY), "no reply to body chunks")
  check(not mt.test_option(conn, SMFIP_NR_RCPT), "a reply to each recipient")
  ok(mt.conninfo(conn, "mx.example.net", client_ip or "198.51.100.7"), "conninfo")
  return conn
end

function envelope(conn, queue_id, sender, recipients)
  ok(mt.macro(conn, SMFIC_MAIL, "i", queue_id), "macro i")
  ok(mt.mailfrom(conn, sender), "mail from")
  for _, rcpt in ipairs(recipients) do
    ok(mt.rcptto(conn, rcpt), "rcpt to " .. rcpt)
  end
end

function headers(conn, fields)
  for _, field in ipairs(fields) do
    ok(mt.header(conn, field[1], field[2]), "header " .. field[1])
  end
  ok(mt.eoh(conn), "eoh")
end
