#!lua name=meterline_budget_holds
-- The reservation book of RedisReservationBook: each function runs atomically, so a decision and
-- its hold are one step for every instance. Amounts are whole multiples of 10^-heldScale, exact
-- below 2^53 (budget limits are kept below 10^15 such units).
--
-- Keys of one budget period (base = <prefix>budget:<budget id>:<period start ms>):
--   <base>:c  consumed {s = scaled, rounded up; d = decimal}, mirrored from the database
--   <base>:h  holds {<reservation id> = "<scaled amount>:<expiry ms>"; sum = total of live buckets}
--   <base>:b  buckets {<expiry ms> = scaled total of the holds expiring then}
--   <base>:e  bucket expiries, a sorted set of <expiry ms> scored by itself
--   <base>:x  hold expiries, a sorted set of reservation ids scored in epoch milliseconds
-- <prefix>reservation:<organization>:<id> lists the :h keys a reservation holds; <prefix>budgets:<organization>
-- is the organization's catalog token, changed whenever its budgets change.
--
-- Expiry is bounded work per call: totals are kept per expiry bucket (callers round expiries to whole
-- seconds), so expiring holds costs one step per bucket, however many holds it had; the ids of
-- expired holds are then dropped a few per call (GARBAGE), which changes no total.

local GARBAGE = 16

local function derived(holds, suffix)
  return string.sub(holds, 1, -2) .. suffix
end

-- Releases one hold: its amount leaves its bucket and the total while the bucket lives; an expired
-- bucket already took it away.
local function release(holds, id)
  local hold = redis.call('HGET', holds, id)
  if hold then
    local amount, expiry = string.match(hold, '^(%d+):(%d+)$')
    if expiry and redis.call('HEXISTS', derived(holds, 'b'), expiry) == 1 then
      redis.call('HINCRBY', derived(holds, 'b'), expiry, '-' .. amount)
      redis.call('HINCRBY', holds, 'sum', '-' .. amount)
    end
    redis.call('HDEL', holds, id)
  end
  redis.call('ZREM', derived(holds, 'x'), id)
end

-- Drops the buckets expired by now from the total, and a few expired holds' ids; answers the total.
local function prune(holds, now)
  local buckets, bucketExpiries = derived(holds, 'b'), derived(holds, 'e')
  for _, expiry in ipairs(redis.call('ZRANGEBYSCORE', bucketExpiries, '-inf', now)) do
    local amount = redis.call('HGET', buckets, expiry)
    if amount then
      redis.call('HINCRBY', holds, 'sum', '-' .. amount)
      redis.call('HDEL', buckets, expiry)
    end
    redis.call('ZREM', bucketExpiries, expiry)
  end
  local expiries = derived(holds, 'x')
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', expiries, '-inf', now, 'LIMIT', 0, GARBAGE)) do
    redis.call('HDEL', holds, id)
    redis.call('ZREM', expiries, id)
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
      redis.call('HSET', holds, id, requested .. ':' .. args[3])
      redis.call('HINCRBY', holds, 'sum', requested)
      redis.call('HINCRBY', derived(holds, 'b'), args[3], requested)
      redis.call('ZADD', derived(holds, 'e'), args[3], args[3])
      redis.call('ZADD', derived(holds, 'x'), args[3], id)
      redis.call('RPUSH', keys[2], holds)
      for _, key in ipairs({holds, derived(holds, 'b'), derived(holds, 'e'), derived(holds, 'x')}) do
        extend(key, keep)
      end
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
