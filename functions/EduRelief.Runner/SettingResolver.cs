using System.Text;

namespace EduRelief.Runner;

/// <summary>
/// Replaces <c>%NAME%</c> tokens with app settings, as the Functions host does for binding properties, so one
/// function.json serves every environment.
/// </summary>
public static class SettingResolver
{
    public static string Resolve(string value, IConfiguration configuration, string functionName, string property)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        var position = 0;
        while (position < value.Length)
        {
            var start = value.IndexOf('%', position);
            var end = start < 0 ? -1 : value.IndexOf('%', start + 1);
            if (end < 0)
            {
                // A lone % is literal text, not a token.
                result.Append(value, position, value.Length - position);
                break;
            }

            result.Append(value, position, start - position);
            var name = value[(start + 1)..end];
            result.Append(Lookup(configuration, name)
                ?? throw new FunctionConfigurationException(
                    $"Function '{functionName}': {property} '{value}' refers to the app setting '{name}', which is not set."));
            position = end + 1;
        }

        return result.ToString();
    }

    /// <summary>
    /// Keys are tried as written, then with '__' read as ':' because environment variables cannot contain ':' and the
    /// configuration system stores <c>A__B</c> as <c>A:B</c>. An empty value counts as unset: no binding can use it.
    /// </summary>
    public static string? Lookup(IConfiguration configuration, string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        var value = configuration[name];
        if (string.IsNullOrEmpty(value) && name.Contains("__", StringComparison.Ordinal))
        {
            value = configuration[name.Replace("__", ":", StringComparison.Ordinal)];
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }
}
