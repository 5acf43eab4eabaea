-- wrk load for the web chat: each connection talks as its own phone number,
-- cycling through a short conversation (greeting, a wrong verification
-- answer, balance, menu). Usage (service running with REGUA_DEMO=true):
--   wrk -t2 -c64 -d30s --latency -s scripts/load/chat.lua http://localhost:8080
local texts = {"oi", "quanto devo?", "123", "menu", "obrigado", "2", "quero pagar", "tchau"}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  conn = 0
  step = 0
  math.randomseed(os.time() + tid)
  base = 5511930000000 + tid * 100000 + math.random(0, 99999)
end

request = function()
  step = step + 1
  conn = (conn + 1) % 200
  local phone = "%2B" .. tostring(base + conn)
  -- a message id per message, as WhatsApp and Telegram give (de-duplicated)
  local text = texts[(math.floor(step / 200) % #texts) + 1] -- each number goes through the texts in turn
  local body = '{"text":"' .. text .. '","message_id":"' .. tid .. '-' .. base .. '-' .. step .. '"}'
  return wrk.format("POST", "/chat/api/" .. phone .. "/messages", {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    io.write("status " .. status .. ": " .. body .. "\n")
  end
end
