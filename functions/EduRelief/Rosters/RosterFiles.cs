namespace EduRelief.Rosters;

/// <summary>The rosters a cycle takes, by the kind named in the upload route and kept in the cycle's state.</summary>
public static class RosterFiles
{
    public const string Students = "students";
    public const string Poverty = "poverty";

    /// <summary>The 外地就学 list: optional; verification runs once the other two are in and reads it when it is there.</summary>
    public const string Outside = "outside";
}
