// 延津县 (410726), a test environment in Azure China: no Flex Consumption there, and the cloud's own endpoints.
using '../main.bicep'

param environmentName = 'test'
param countyCode = '410726'
param planKind = 'ElasticPremium'
param storageSuffix = 'core.chinacloudapi.cn'
param authorityHost = 'login.chinacloudapi.cn'
param mailFrom = 'noreply-test-410726@edurelief.example'
param keyVaultPurgeProtection = false // a throwaway test environment: let its vault be purged
param tags = {
  county: '410726'
  countyName: '延津县'
}
