namespace EduRelief.Rosters;

/// <summary>The two rosters a cycle takes, by the kind named in the upload route and kept in the cycle's state.</summary>
public static class RosterFiles
{
    public const string Students = "students";
    public const string Poverty = "poverty";
}
