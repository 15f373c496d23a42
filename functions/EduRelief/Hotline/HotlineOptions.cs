using Microsoft.Extensions.Options;

namespace EduRelief.Hotline;

/// <summary>The county's shared secret for webhook signatures, from <c>EDURELIEF_HOTLINE_SECRET</c>.</summary>
public sealed class HotlineOptions
{
    public const string SecretKey = "EDURELIEF_HOTLINE_SECRET";
    public const int MinSecretLength = 16;

    public string? Secret { get; set; }
}

/// <summary>Outside Development the app does not start without a secret; in Development without one, every webhook call is refused.</summary>
public sealed class HotlineOptionsValidator(IHostEnvironment environment) : IValidateOptions<HotlineOptions>
{
    public ValidateOptionsResult Validate(string? name, HotlineOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Secret))
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{HotlineOptions.SecretKey} (the hotline webhook's shared secret) is not configured.");
        }

        return options.Secret.Length < HotlineOptions.MinSecretLength
            ? ValidateOptionsResult.Fail($"{HotlineOptions.SecretKey} must be at least {HotlineOptions.MinSecretLength} characters.")
            : ValidateOptionsResult.Success;
    }
}
