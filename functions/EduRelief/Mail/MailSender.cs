using System.Net;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace EduRelief.Mail;

/// <summary>What became of one send: sent, worth trying again later, refused for good, or not sent (no key in Development).</summary>
public enum SendOutcome
{
    Sent,
    Transient,
    Permanent,
    Skipped,
}

public sealed record SendResult(SendOutcome Outcome, string? Reason = null);

/// <summary>One email as the outbox hands it to the sender.</summary>
public sealed record OutgoingMail(string Id, IReadOnlyList<string> To, string Subject, string Body)
{
    public IReadOnlyList<(MailAttachment File, byte[] Content)> Attachments { get; init; } = [];
}

/// <summary>Sends through SendGrid's v3 API; never throws for an expected failure (network, 429, 5xx, 4xx).</summary>
public sealed class MailSender(MailSettings settings, IHttpClientFactory httpClients)
{
    public async Task<SendResult> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        if (settings.Key is null)
        {
            return new SendResult(SendOutcome.Skipped, "no SendGrid key is configured (Development)");
        }

        var client = new SendGridClient(httpClients.CreateClient("sendgrid"), new SendGridClientOptions { ApiKey = settings.Key, Host = settings.Host });
        var message = MailHelper.CreateSingleEmailToMultipleRecipients(
            new EmailAddress(settings.From, "EduRelief"), mail.To.Select(t => new EmailAddress(t)).ToList(), mail.Subject, mail.Body, null);
        message.AddCustomArg("outboxId", mail.Id);
        foreach (var (file, content) in mail.Attachments)
        {
            message.AddAttachment(file.FileName, Convert.ToBase64String(content), file.ContentType);
        }

        Response response;
        try
        {
            response = await client.SendEmailAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.Transient, $"SendGrid could not be reached: {ex.GetType().Name}");
        }

        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return new SendResult(SendOutcome.Sent);
        }

        var detail = await response.Body.ReadAsStringAsync(cancellationToken);
        var reason = $"SendGrid answered {status}: {Shorten(detail)}";
        return response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500
            ? new SendResult(SendOutcome.Transient, reason)
            : new SendResult(SendOutcome.Permanent, reason);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
