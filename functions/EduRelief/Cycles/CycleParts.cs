namespace EduRelief.Cycles;

/// <summary>
/// The parts of a cycle that features' figures set (<see cref="ICycleFigures"/>), for putting together figures read at
/// once from the same cycle: each feature's result differs from the cycle it was given only in the parts it set.
/// </summary>
public static class CycleParts
{
    /// <summary>
    /// <paramref name="onto"/> with the parts <paramref name="figured"/> set on <paramref name="found"/>. Two features
    /// setting the same part cannot both be kept: that is a mistake in a feature, and throws.
    /// </summary>
    public static Cycle Add(Cycle found, Cycle figured, Cycle onto) => onto with
    {
        Rosters = Pick(found.Rosters, figured.Rosters, onto.Rosters, nameof(Cycle.Rosters)),
        Verification = Pick(found.Verification, figured.Verification, onto.Verification, nameof(Cycle.Verification)),
        Notice = Pick(found.Notice, figured.Notice, onto.Notice, nameof(Cycle.Notice)),
        Hotline = Pick(found.Hotline, figured.Hotline, onto.Hotline, nameof(Cycle.Hotline)),
        Rectification = Pick(found.Rectification, figured.Rectification, onto.Rectification, nameof(Cycle.Rectification)),
        Disbursement = Pick(found.Disbursement, figured.Disbursement, onto.Disbursement, nameof(Cycle.Disbursement)),
        Accounts = Pick(found.Accounts, figured.Accounts, onto.Accounts, nameof(Cycle.Accounts)),
    };

    /// <summary>The part as the feature set it, or as <paramref name="onto"/> has it when the feature left it as found.</summary>
    private static T? Pick<T>(T? found, T? figured, T? onto, string part)
        where T : class =>
        ReferenceEquals(figured, found) ? onto
        : ReferenceEquals(onto, found) ? figured
        : throw new InvalidOperationException($"Two features set the cycle's {part}.");
}
