using System.Text.RegularExpressions;

namespace EduRelief.Runner;

/// <summary>Turns the addresses Kestrel listens on into one the runner can call.</summary>
public static partial class AppAddress
{
    private static readonly HashSet<string> WildcardHosts = new(StringComparer.OrdinalIgnoreCase) { "0.0.0.0", "[::]", "localhost", "+", "*" };

    /// <summary>
    /// The first http address, with wildcard hosts replaced by 127.0.0.1 (a listening address is not a calling
    /// address, and 'localhost' may resolve to an IPv6 address Kestrel did not bind). Https is skipped: the runner
    /// would have to trust a development certificate. Null when there is no http address.
    /// </summary>
    public static Uri? Pick(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            var match = AddressPattern().Match(address.Trim());
            if (!match.Success || !match.Groups["scheme"].Value.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var host = match.Groups["host"].Value;
            if (WildcardHosts.Contains(host))
            {
                host = "127.0.0.1";
            }

            return new Uri($"http://{host}{match.Groups["port"].Value}{match.Groups["path"].Value}");
        }

        return null;
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[^\]]*\]|[^/:]+)(?<port>:\d+)?(?<path>/.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex AddressPattern();
}
