namespace EduRelief.Eligibility;

/// <summary>
/// Compulsory school age (DOMAIN "Verification" and "A child across semesters"): aged 6 to 15 in whole years, both
/// ends included, on 31 August of the school year (2026-autumn and 2027-spring both take 2026-08-31). The Verifier's
/// <c>notEnrolled</c> and the semester comparison's absent children both ask it here.
/// </summary>
public static class CompulsorySchoolAge
{
    public const int First = 6;
    public const int Last = 15;

    /// <summary>The day on which a child's age counts for the school year.</summary>
    public static DateOnly AgeDay(int schoolYear) => new(schoolYear, 8, 31);

    public static bool Covers(int age) => age is >= First and <= Last;
}
