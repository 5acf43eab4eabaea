-- wrk load for verified chat turns: each request is the next message of one
-- of the debtors seeded by scripts/load/seed.sh (phones +5511970000000 and
-- on). A debtor says hello, answers the verification (123), then asks for the
-- balance, the menu, the installment offers and thanks, over and over: every
-- turn after the second loads today's amounts, plans and offers.
-- Usage (service running with REGUA_DEMO=true, after seed.sh 2000):
--   wrk -t2 -c32 -d30s --latency -s scripts/load/verified.lua http://localhost:8080 -- 2000
local script = {"quanto devo?", "menu", "quero parcelar", "menu", "obrigado", "saldo"}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local debtors = tonumber(args[1] or "2000")
  local threads = 2
  per = math.floor(debtors / threads)
  first = tid * per
  sent = {}
  next_one = 0
  run = os.time() -- message ids unique across runs
end

request = function()
  local i = next_one
  next_one = (next_one + 1) % per
  local n = sent[i] or 0
  sent[i] = n + 1
  local text
  if n == 0 then
    text = "oi"
  elseif n == 1 then
    text = "123"
  else
    text = script[((n - 2) % #script) + 1]
  end
  local phone = "%2B55119" .. string.format("%08d", 70000000 + first + i)
  return wrk.format("POST", "/chat/api/" .. phone .. "/messages", {["Content-Type"] = "application/json"}, '{"text":"' .. text .. '","message_id":"' .. tid .. '-' .. run .. '-' .. i .. '-' .. n .. '"}')
end

response = function(status, headers, body)
  if status ~= 200 then
    io.write("status " .. status .. ": " .. body .. "\n")
  end
end
