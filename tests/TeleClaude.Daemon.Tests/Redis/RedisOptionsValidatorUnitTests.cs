using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>The Redis settings are checked on start; each bad value is named.</summary>
internal sealed class RedisOptionsValidatorUnitTests
{
    [Test]
    public void Validate_AcceptsTheDefaults()
    {
        Assert.That(new RedisOptionsValidator().Validate(null, new RedisOptions { Configuration = "127.0.0.1:6379" }).Succeeded, Is.True);
    }

    [TestCase("00:00:00.500", "00:00:02", "BlockingReadTimeout")]
    [TestCase("00:10:01", "00:00:02", "BlockingReadTimeout")]
    [TestCase("00:00:30", "00:00:00.050", "PeerScanInterval")]
    public void Validate_NamesABadReaderOrScanSetting(string blockingReadTimeout, string peerScanInterval, string setting)
    {
        var options = new RedisOptions
        {
            Configuration = "127.0.0.1:6379",
            BlockingReadTimeout = TimeSpan.Parse(blockingReadTimeout, System.Globalization.CultureInfo.InvariantCulture),
            PeerScanInterval = TimeSpan.Parse(peerScanInterval, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new RedisOptionsValidator().Validate(null, options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Some.Contains("TeleClaude:Redis:" + setting));
    }

    [TestCase("00:00:00.500", 50, "WatchLease")]
    [TestCase("00:10:01", 50, "WatchLease")]
    [TestCase("00:00:15", 0, "ScreenStreamMaxLength")]
    [TestCase("00:00:15", 10_001, "ScreenStreamMaxLength")]
    public void Validate_NamesABadWatchSetting(string lease, int maxLength, string setting)
    {
        var options = new RedisOptions
        {
            Configuration = "127.0.0.1:6379",
            WatchLease = TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture),
            ScreenStreamMaxLength = maxLength,
        };

        var result = new RedisOptionsValidator().Validate(null, options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Some.Contains("TeleClaude:Redis:" + setting));
    }
}
