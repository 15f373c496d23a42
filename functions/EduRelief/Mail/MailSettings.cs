using System.Globalization;

namespace EduRelief.Mail;

/// <summary>
/// Where mail goes: SendGrid's API host (a local fake in tests), its key, and the sender. Read once at start: outside
/// Development the app does not start without a key; in Development without one, mail is recorded as skipped.
/// </summary>
public sealed record MailSettings(string Host, string? Key, string From, int MaxAttempts, TimeSpan RetryBase)
{
    public const string DefaultHost = "https://api.sendgrid.com";
    public const string DefaultFrom = "noreply@edurelief.local";

    public static MailSettings Read(IConfiguration config, IHostEnvironment environment)
    {
        var errors = new List<string>();
        var host = config["EDURELIEF_SENDGRID_HOST"];
        if (string.IsNullOrWhiteSpace(host))
        {
            host = DefaultHost;
        }
        else if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add("EDURELIEF_SENDGRID_HOST is an absolute http(s) URL.");
        }

        var key = config["EDURELIEF_SENDGRID_KEY"];
        if (string.IsNullOrWhiteSpace(key))
        {
            key = null;
            if (!environment.IsDevelopment())
            {
                errors.Add("EDURELIEF_SENDGRID_KEY (the SendGrid API key) is not configured.");
            }
        }

        var from = config["EDURELIEF_MAIL_FROM"];
        if (string.IsNullOrWhiteSpace(from))
        {
            // SendGrid refuses an unverified sender, so production names its own verified address.
            from = DefaultFrom;
            if (!environment.IsDevelopment())
            {
                errors.Add("EDURELIEF_MAIL_FROM (a sender address verified with SendGrid) is not configured.");
            }
        }
        else if (!System.Net.Mail.MailAddress.TryCreate(from.Trim(), out _))
        {
            errors.Add("EDURELIEF_MAIL_FROM is an email address.");
        }

        var attempts = 8;
        if (config["EDURELIEF_MAIL_MAX_ATTEMPTS"] is { Length: > 0 } a && (!int.TryParse(a, CultureInfo.InvariantCulture, out attempts) || attempts is < 1 or > 50))
        {
            errors.Add("EDURELIEF_MAIL_MAX_ATTEMPTS is 1 to 50.");
        }

        var retryBase = TimeSpan.FromSeconds(30);
        if (config["EDURELIEF_MAIL_RETRY_BASE"] is { Length: > 0 } r && (!TimeSpan.TryParse(r, CultureInfo.InvariantCulture, out retryBase) || retryBase <= TimeSpan.Zero))
        {
            errors.Add("EDURELIEF_MAIL_RETRY_BASE is a positive time span, e.g. 00:00:30.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("EduRelief cannot start: " + string.Join(" ", errors));
        }

        return new MailSettings(host.TrimEnd('/'), key, from.Trim(), attempts, retryBase);
    }

    /// <summary>Exponential backoff after the n-th failed attempt: base, 2×base, 4×base … at most 6 hours.</summary>
    public TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(RetryBase.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20)), TimeSpan.FromHours(6).Ticks));
}
