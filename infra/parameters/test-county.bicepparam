// 延津县 (410726), a test environment in Azure global (Flex Consumption).
using '../main.bicep'

param environmentName = 'test'
param countyCode = '410726'
param planKind = 'FlexConsumption'
param mailFrom = 'noreply-test-410726@edurelief.example'
param keyVaultPurgeProtection = false // a throwaway test environment: let its vault be purged
param tags = {
  county: '410726'
  countyName: '延津县'
}
