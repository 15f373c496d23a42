using System.Security.Cryptography;
using System.Text;

namespace EduRelief.Rosters;

/// <summary>
/// The key a person is stored under wherever a table needs one: no ID number may appear in a key (it is personal
/// data), so the key is the first 32 hex digits of SHA-256 over a fixed prefix and the normalised number.
/// </summary>
public static class PersonKeys
{
    /// <summary>The key of a normalised, valid identity number; the same number always gives the same key.</summary>
    public static string Of(string idNumber) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("edurelief-person|" + idNumber)))[..32];

    /// <summary>The key's first two hex digits: 256 spread partitions for tables keyed by person.</summary>
    public static string Shard(string personKey) => personKey[..2];
}
