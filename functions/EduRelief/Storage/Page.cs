namespace EduRelief.Storage;

/// <summary>One page of a table query: its items and the token for the next page, if any.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
