using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The signature of a stream entry, as four fields appended after the entry's own (readers that do not know them
/// ignore them): <c>sig_ts</c> (Unix milliseconds when it was signed), <c>sig_nonce</c> (96 random bits, so that no two
/// entries are alike and a copy can be recognised), <c>sig_from</c> (the signing computer) and, last, <c>sig</c>: one
/// <c>kid:mac</c> per key the writer holds, separated by spaces. Each mac is HMAC-SHA256 (base64url) over a canonical
/// encoding of a version tag, the stream's name (an entry copied onto another stream, e.g. another computer's
/// <c>messages:</c>, does not verify) and every field before <c>sig</c>, names and values, in order, each prefixed with
/// its length. Pure functions; the policy (age, replays) is <see cref="EntryVerifier"/>'s.
/// </summary>
internal static class EntrySignature
{
    public const string TimestampField = "sig_ts";
    public const string NonceField = "sig_nonce";
    public const string FromField = "sig_from";
    public const string SignatureField = "sig";

    private const int NonceBytes = 12;
    private const int MacBytes = 32;
    private static readonly byte[] Version = Encoding.UTF8.GetBytes("TeleClaude fleet-signed stream entry v1");

    /// <summary>The entry's fields followed by the signature fields, signed for <paramref name="stream"/> with every key.</summary>
    public static NameValueEntry[] Sign(FleetKeys keys, RedisKey stream, ReadOnlySpan<NameValueEntry> fields, string from, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var signed = new NameValueEntry[fields.Length + 4];
        fields.CopyTo(signed);
        signed[fields.Length] = new(TimestampField, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        signed[fields.Length + 1] = new(NonceField, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(NonceBytes)));
        signed[fields.Length + 2] = new(FromField, from);

        var canonical = Canonical(stream, signed.AsSpan(0, fields.Length + 3));
        var signature = new StringBuilder(keys.Keys.Count * 53);
        Span<byte> mac = stackalloc byte[MacBytes];
        foreach (var key in keys.Keys)
        {
            HMACSHA256.HashData(key.MacKey, canonical.WrittenSpan, mac);
            signature.Append(signature.Length == 0 ? "" : " ").Append(key.Id).Append(':').Append(Base64Url.EncodeToString(mac));
        }

        signed[^1] = new(SignatureField, signature.ToString());
        return signed;
    }

    /// <summary>Checks the signature of <paramref name="entry"/> as read from <paramref name="stream"/> against <paramref name="keys"/>.</summary>
    public static SignatureCheck Check(FleetKeys keys, RedisKey stream, StreamEntry entry)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var values = entry.Values ?? [];
        var at = Array.FindIndex(values, v => v.Name == SignatureField);
        if (at < 0)
        {
            return SignatureCheck.Unsigned;
        }

        if (at != values.Length - 1)
        {
            return SignatureCheck.Forged("the sig field is not the entry's last field");
        }

        // A writer signs with at most FleetKeys.MaximumCount keys; anything past a few more is not looked at.
        var items = ((string?)values[at].Value ?? "").Split(' ', FleetKeys.MaximumCount * 2, StringSplitOptions.RemoveEmptyEntries);
        ArrayBufferWriter<byte>? canonical = null;
        var theirIds = new List<string>(items.Length);
        var knownKey = false;
        Span<byte> expected = stackalloc byte[MacBytes];
        Span<byte> presented = stackalloc byte[MacBytes + 3];
        Span<byte> zeros = stackalloc byte[MacBytes];
        foreach (var item in items)
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var id = colon > 0 ? item[..colon] : item;
            theirIds.Add(id);
            if (colon <= 0 || keys.Find(id) is not { } key)
            {
                continue;
            }

            knownKey = true;
            canonical ??= Canonical(stream, values.AsSpan(0, at));
            HMACSHA256.HashData(key.MacKey, canonical.WrittenSpan, expected);
            // A mac that is not base64url of the right length cannot match; it is compared anyway (against zeros) so that
            // the time taken does not depend on where the presented value goes wrong.
            // (TryDecodeFromChars throws on characters outside base64url: check them first, the input is anyone's.)
            var mac = item.AsSpan(colon + 1);
            var ok = Base64Url.IsValid(mac, out var length) && length == MacBytes
                && Base64Url.TryDecodeFromChars(mac, presented, out var written) && written == MacBytes;
            var equal = CryptographicOperations.FixedTimeEquals(expected, ok ? presented[..MacBytes] : zeros);
            if (ok && equal)
            {
                return Signed(values.AsSpan(0, at));
            }
        }

        return knownKey
            ? SignatureCheck.Forged("its signature does not match its fields")
            : SignatureCheck.UnknownKey(theirIds.Count == 0 ? "none" : WireValues.Clip(string.Join(", ", theirIds), 80));
    }

    /// <summary>The sender an entry claims to be from, for log lines: the signer, else the request's initiator or the entry's source.</summary>
    public static string ClaimedSender(StreamEntry entry)
    {
        foreach (var field in new[] { FromField, "initiator", "source" })
        {
            if ((string?)entry[field] is { Length: > 0 } name)
            {
                return WireValues.Clip(name);
            }
        }

        return "an unnamed sender";
    }

    private static SignatureCheck Signed(ReadOnlySpan<NameValueEntry> fields)
    {
        string? ts = null, nonce = null, from = null;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case TimestampField: ts = field.Value; break;
                case NonceField: nonce = field.Value; break;
                case FromField: from = field.Value; break;
            }
        }

        // Only a holder of the key can have written these; a holder that wrote them wrong is still not to be believed.
        return long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var millis) && millis > 0
            && nonce is { Length: > 0 and <= 64 } && from is { Length: > 0 }
            ? SignatureCheck.Valid(millis, nonce, from)
            : SignatureCheck.Forged("its signed sig_ts, sig_nonce or sig_from is missing or malformed");
    }

    private static ArrayBufferWriter<byte> Canonical(RedisKey stream, ReadOnlySpan<NameValueEntry> fields)
    {
        // Sized up front: one buffer, no regrowth, values copied in without intermediate arrays.
        var size = 8 + Version.Length + 256;
        foreach (var field in fields)
        {
            size += 8 + field.Name.GetByteCount() + field.Value.GetByteCount();
        }

        var buffer = new ArrayBufferWriter<byte>(size);
        Append(buffer, Version);
        Append(buffer, (byte[]?)stream ?? []);
        foreach (var field in fields)
        {
            Append(buffer, field.Name);
            Append(buffer, field.Value);
        }

        return buffer;
    }

    private static void Append(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        var span = buffer.GetSpan(4 + bytes.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, bytes.Length);
        bytes.CopyTo(span[4..]);
        buffer.Advance(4 + bytes.Length);
    }

    private static void Append(ArrayBufferWriter<byte> buffer, RedisValue value)
    {
        var length = value.IsNull ? 0 : value.GetByteCount();
        var span = buffer.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        if (length > 0)
        {
            value.CopyTo(span.Slice(4, length));
        }

        buffer.Advance(4 + length);
    }
}

/// <summary>What <see cref="EntrySignature.Check"/> found.</summary>
internal sealed record SignatureCheck(SignatureOutcome Outcome, string Detail, long SignedAtMilliseconds = 0, string Nonce = "", string From = "")
{
    public static readonly SignatureCheck Unsigned = new(SignatureOutcome.Unsigned, "it carries no signature");

    public static SignatureCheck Forged(string detail) => new(SignatureOutcome.Forged, detail);

    public static SignatureCheck UnknownKey(string theirIds) => new(SignatureOutcome.UnknownKey, theirIds);

    public static SignatureCheck Valid(long signedAt, string nonce, string from) => new(SignatureOutcome.Valid, "", signedAt, nonce, from);
}

internal enum SignatureOutcome
{
    Valid,
    Unsigned,
    UnknownKey,
    Forged,
}
