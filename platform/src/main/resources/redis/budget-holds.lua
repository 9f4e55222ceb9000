#!lua name=meterline_budget_holds
-- The reservation book of RedisReservationBook: each function runs atomically, so a decision and
-- its hold are one step for every instance. Amounts are whole multiples of 10^-heldScale, exact
-- below 2^53 (budget limits are kept below 10^15 such units).
--
-- Keys of one budget period (base = <prefix>budget:<budget id>:<period start ms>):
--   <base>:c  consumed {s = scaled, rounded up; d = decimal}, mirrored from the database
--   <base>:h  holds {<reservation id> = scaled amount; sum = their total}
--   <base>:x  hold expiries, a sorted set scored in epoch milliseconds
-- <prefix>reservation:<id> lists the :h keys a reservation holds; <prefix>budgets:<organization>
-- is the organization's catalog token, changed whenever its budgets change.

local function release(holds, id)
  local amount = redis.call('HGET', holds, id)
  if amount then
    redis.call('HINCRBY', holds, 'sum', '-' .. amount)
    redis.call('HDEL', holds, id)
  end
  redis.call('ZREM', string.sub(holds, 1, -2) .. 'x', id)
end

local function prune(holds, now)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', string.sub(holds, 1, -2) .. 'x', '-inf', now)) do
    release(holds, id)
  end
  return redis.call('HGET', holds, 'sum') or '0'
end

local function extend(key, keep)
  if redis.call('PTTL', key) < keep then
    redis.call('PEXPIRE', key, keep)
  end
end

-- KEYS[1] catalog token, KEYS[2] this reservation's list, then per budget i = 0..n-1:
--   KEYS[3+2i] consumed, KEYS[4+2i] holds
-- ARGV[1] catalog token the caller decided with, ARGV[2] now (ms), ARGV[3] expires at (ms),
-- ARGV[4] reservation id, ARGV[5] how long (ms) hold keys must outlive this hold, then per budget:
--   ARGV[6+3i] limit (scaled, rounded down; -1 unlimited), ARGV[7+3i] 1 if HARD,
--   ARGV[8+3i] requested (scaled, rounded up)
-- Answers {'STALE'} when the catalog changed, {'LOAD', i...} (1-based) for consumed values to load
-- first, else {'ALLOW'|'DENY', first denying budget (1-based, 0 none), then per budget its consumed
-- decimal and reserved scaled total before this call}.
local function authorize(keys, args)
  if (redis.call('GET', keys[1]) or '') ~= args[1] then
    return {'STALE'}
  end
  local n = (#keys - 2) / 2
  local missing = {'LOAD'}
  for i = 0, n - 1 do
    if redis.call('EXISTS', keys[3 + 2 * i]) == 0 then
      missing[#missing + 1] = tostring(i + 1)
    end
  end
  if #missing > 1 then
    return missing
  end
  local answer = {'ALLOW', '0'}
  local denied = 0
  for i = 0, n - 1 do
    local consumed = redis.call('HMGET', keys[3 + 2 * i], 's', 'd')
    local reserved = prune(keys[4 + 2 * i], args[2])
    local limit = tonumber(args[6 + 3 * i])
    if denied == 0 and args[7 + 3 * i] == '1' and limit >= 0
        and tonumber(consumed[1]) + tonumber(reserved) + tonumber(args[8 + 3 * i]) > limit then
      denied = i + 1
    end
    answer[#answer + 1] = consumed[2]
    answer[#answer + 1] = reserved
  end
  if denied > 0 then
    answer[1] = 'DENY'
    answer[2] = tostring(denied)
    return answer
  end
  local id, keep = args[4], tonumber(args[5])
  for i = 0, n - 1 do
    local requested = args[8 + 3 * i]
    if requested ~= '0' then
      local holds = keys[4 + 2 * i]
      local expiries = string.sub(holds, 1, -2) .. 'x'
      redis.call('HSET', holds, id, requested)
      redis.call('HINCRBY', holds, 'sum', requested)
      redis.call('ZADD', expiries, args[3], id)
      redis.call('RPUSH', keys[2], holds)
      extend(holds, keep)
      extend(expiries, keep)
    end
  end
  if redis.call('EXISTS', keys[2]) == 1 then
    redis.call('PEXPIRE', keys[2], keep)
  end
  return answer
end

-- After an ingestion transaction committed, or when a decision found a consumed value missing:
-- raises the consumed mirrors to the database's values, then releases the recorded calls' holds,
-- in one step, so no decision sees a hold released before its call's usage is counted. Counters
-- only grow, so keeping the larger value makes replays and races harmless.
-- KEYS[1..n] consumed per counter, KEYS[n+1..] reservation lists
-- ARGV[1] n, ARGV[2] how long (ms) a mirror lives before it is read from the database again,
-- per counter j = 1..n: ARGV[1+2j] scaled (rounded up), ARGV[2+2j] decimal; then the reservation ids.
local function observe(keys, args)
  local n = tonumber(args[1])
  for j = 1, n do
    local scaled, decimal = args[1 + 2 * j], args[2 + 2 * j]
    local current = redis.call('HMGET', keys[j], 's', 'd')
    if not current[1] or tonumber(scaled) > tonumber(current[1])
        or (tonumber(scaled) == tonumber(current[1]) and tonumber(decimal) > tonumber(current[2])) then
      redis.call('HSET', keys[j], 's', scaled, 'd', decimal)
    end
    redis.call('PEXPIRE', keys[j], args[2])
  end
  for r = n + 1, #keys do
    local id = args[2 + n + r]
    for _, holds in ipairs(redis.call('LRANGE', keys[r], 0, -1)) do
      release(holds, id)
    end
    redis.call('DEL', keys[r])
  end
  return n
end

-- What unexpired holds keep. KEYS: holds per period; ARGV[1] now (ms). Answers the scaled totals.
local function reserved(keys, args)
  local answer = {}
  for i = 1, #keys do
    answer[i] = prune(keys[i], args[1])
  end
  return answer
end

redis.register_function('meterline_authorize', authorize)
redis.register_function('meterline_observe', observe)
redis.register_function('meterline_reserved', reserved)
